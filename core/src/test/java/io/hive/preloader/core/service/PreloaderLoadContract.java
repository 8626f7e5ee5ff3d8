package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheClosedException;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.ModelLoadingException;
import io.hive.preloader.core.cache.ModelPinnedException;
import io.hive.preloader.core.cache.StaleModelException;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.LiveBytes;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many callers at once on real files and a real store: 16 threads mixing preload, get, open, evict, pin, budget
 * changes and files replaced on disk, under a fixed seed. At every step what is charged stays within the budget in
 * force (or what was held when it was lowered) and is never less than what the store holds (its regions counted
 * from the end of their load to the end of their release), every lease reads exactly the bytes of the file version it was
 * given (never freed memory: a read of freed bytes throws, outside any catch), every refusal is one of the kinds
 * the cache may answer with (anything else fails the test), and the statistics add up.
 * {@code -Dload.ops=N -Dload.seed=S} make it a soak.
 */
public abstract class PreloaderLoadContract {
    private static final int THREADS = 16;
    private static final int MODELS = 8;
    private static final long KiB = 1024;

    @TempDir
    protected Path dir;

    protected abstract RamStore newStore();

    /** Contents of one version of a model file, recoverable from the version's inode. */
    private final Map<Long, Long> seedByInode = new ConcurrentHashMap<>();

    private static long sizeOf(int model, long seed) {
        return 64 * KiB + Math.floorMod(seed * 31 + model, 7) * 48 * KiB + model * 13;
    }

    private static byte at(long seed, long offset) {
        return (byte) (seed * 0x9E3779B97F4A7C15L + offset * 0xBF58476D1CE4E5B9L >>> 56);
    }

    private void writeVersion(int model, long seed) {
        byte[] bytes = new byte[(int) sizeOf(model, seed)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = at(seed, i);
        }
        ModelFiles.asModel(bytes); // a valid model: its header, then the seed's bytes as weights
        // Written aside and renamed into place: the version is known by its inode before any reader can see it.
        Path staged = ModelFiles.write(dir, "m" + model + ".gguf.v" + seed, bytes);
        seedByInode.put(ModelFiles.fingerprint(staged).inode(), seed);
        try {
            // A second name keeps the inode allocated: a freed inode number can come back for a later version, and
            // a store holding a private copy keeps no descriptor on the old one.
            java.nio.file.Files.createDirectories(dir.resolve("versions"));
            java.nio.file.Files.createLink(dir.resolve("versions").resolve(staged.getFileName()), staged);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            java.nio.file.Files.move(staged, dir.resolve("m" + model + ".gguf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private boolean readsItsVersion(Lease lease, Random random) {
        long seed = seedByInode.get(lease.descriptor().fingerprint().inode());
        MemorySegment bytes = lease.bytes();
        if (bytes.byteSize() != lease.descriptor().size()) {
            return false;
        }
        int header = ModelFiles.headerLength(bytes.byteSize());
        for (int i = 0; i < 64; i++) {
            long offset = i == 0 ? bytes.byteSize() - 1 : header + (long) (random.nextDouble() * (bytes.byteSize() - header));
            if (bytes.get(ValueLayout.JAVA_BYTE, offset) != at(seed, offset)) {
                return false;
            }
        }
        return true;
    }

    /** What a call may legitimately be refused with under this load; anything else fails the test. */
    enum Refusal { BUDGET, PINNED, LOADING, STALE, CLOSED }

    private static Refusal refusalOf(Throwable failure) {
        return switch (failure) {
            case BudgetExceededException e -> Refusal.BUDGET;
            case ModelPinnedException e -> Refusal.PINNED;
            case ModelLoadingException e -> Refusal.LOADING;
            case StaleModelException e -> Refusal.STALE;
            case ModelChangedException e -> Refusal.STALE;
            case CacheClosedException e -> Refusal.CLOSED;
            default -> throw new AssertionError("not a refusal: " + failure, failure);
        };
    }

    /** The call's result, or empty when it was refused (counted by kind); only the call itself is inside the catch. */
    private <T> Optional<T> unlessRefused(Callable<T> call, Map<Refusal, LongAdder> refused) throws Exception {
        try {
            return Optional.ofNullable(call.call());
        } catch (ExecutionException e) {
            refused.get(refusalOf(e.getCause())).increment();
        } catch (RuntimeException e) {
            refused.get(refusalOf(e)).increment();
        }
        return Optional.empty();
    }

    /**
     * What is charged may exceed the budget in force only by what was held when the budget was lowered, and never
     * grows while it does: so after each check the ceiling is the budget in force or what was just seen, whichever
     * is more. Budget changes and checks take turns, so that each check knows the budget its figure was made under.
     */
    private final class BudgetWatch {
        private long inForce;
        private long ceiling;

        BudgetWatch(long budget) {
            inForce = budget;
            ceiling = budget;
        }

        synchronized void set(ModelPreloader preloader, long budget) {
            preloader.budget(new ByteBudget(budget));
            inForce = budget;
            ceiling = Math.max(budget, preloader.stats().cache().usedBytes());
        }

        synchronized void check(ModelPreloader preloader, LiveBytes store) {
            assertThat(store.underCharged(preloader::usedBytes)).as("the store holds more than is charged (%d bytes live)",
                    store.liveBytes()).isFalse();
            CacheSnapshot cache = preloader.stats().cache();
            assertThat(cache.budgetBytes()).as("budget in force").isEqualTo(inForce);
            assertThat(cache.usedBytes()).as("bytes charged, budget in force %d", inForce).isLessThanOrEqualTo(ceiling);
            ceiling = Math.max(inForce, cache.usedBytes());
        }
    }

    @Test
    void staysWithinBudgetAndServesExactBytesUnderConcurrentMixedLoad() throws Exception {
        int ops = Integer.getInteger("load.ops", 10_000);
        long seed = Long.getLong("load.seed", 7L);
        for (int m = 0; m < MODELS; m++) {
            writeVersion(m, seed + m);
        }
        long highBudget = 1400 * KiB;
        long lowBudget = 700 * KiB;
        AtomicLong calls = new AtomicLong();
        AtomicLong leasesRead = new AtomicLong();
        Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);
        for (Refusal r : Refusal.values()) {
            refused.put(r, new LongAdder());
        }
        AtomicLong versions = new AtomicLong(seed * 1000);
        BudgetWatch budget = new BudgetWatch(highBudget);

        LiveBytes store = new LiveBytes(newStore());
        try (ModelPreloader preloader = ModelPreloader.builder().source(new FolderSource(dir)).store(store)
                .budget(new ByteBudget(highBudget)).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Random random = new Random(seed * 100 + t);
                int share = ops / THREADS + (t < ops % THREADS ? 1 : 0);
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < share; i++) {
                        int model = random.nextInt(MODELS);
                        ModelId id = ModelId.of("m" + model);
                        int op = random.nextInt(100);
                        Optional<Lease> lease = Optional.empty();
                        if (op < 40) {
                            calls.incrementAndGet();
                            lease = unlessRefused(() -> preloader.get(id), refused);
                        } else if (op < 55) {
                            calls.incrementAndGet();
                            lease = preloader.open(id);
                        } else if (op < 70) {
                            unlessRefused(() -> preloader.preload(id).get(30, TimeUnit.SECONDS), refused);
                        } else if (op < 80) {
                            unlessRefused(() -> preloader.evict(id), refused);
                        } else if (op < 85) {
                            if (random.nextBoolean()) {
                                unlessRefused(() -> preloader.pin(id).get(30, TimeUnit.SECONDS), refused);
                            } else {
                                preloader.unpin(id);
                            }
                        } else if (op < 90) {
                            budget.set(preloader, random.nextBoolean() ? highBudget : lowBudget);
                        } else {
                            writeVersion(model, versions.incrementAndGet());
                        }
                        // Outside any catch: bytes freed under an open lease throw here and fail the test.
                        if (lease.isPresent()) {
                            try (Lease l = lease.get()) {
                                assertThat(readsItsVersion(l, random)).as("bytes of %s", id).isTrue();
                                leasesRead.incrementAndGet();
                            }
                        }
                        budget.check(preloader, store);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> w : workers) {
                w.get(10, TimeUnit.MINUTES);
            }
            pool.shutdown();

            PreloaderStats stats = preloader.stats();
            assertThat(stats.hits() + stats.misses()).as("every get and open counted once").isEqualTo(calls.get());
            assertThat(stats.models().stream().mapToLong(m -> m.hits() + m.misses()).sum()).isEqualTo(calls.get());
            CacheSnapshot cache = stats.cache();
            assertThat(cache.entries()).allSatisfy(e -> assertThat(e.leases()).isZero());
            assertThat(cache.entries().stream().mapToLong(CacheSnapshot.Entry::bytes).sum()).isEqualTo(cache.usedBytes());
            assertThat(leasesRead.get()).as("leases read byte-exact").isPositive();
            assertThat(refused.get(Refusal.CLOSED).sum()).as("nothing closed the preloader during the run").isZero();
            System.out.printf("load: %d operations from %d threads, %d leases read byte-exact, refused %s, "
                    + "%d hits, %d misses, %d evictions%n", ops, THREADS, leasesRead.get(), refused, stats.hits(), stats.misses(),
                    cache.evictions());
        }
    }
}
