package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.transfer.PlanMode;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one way to make a {@link ModelPreloader}. A source and a store are required; the budget is required unless
 * a {@link HostMemory} is given, in which case it defaults to {@value ByteBudget#DEFAULT} of RAM. Policy defaults
 * to LRU, the journal to none, the sink to none (then {@code transfer} fails, naming what to configure).
 * Transfers default to plan {@link PlanMode#AUTO}, no staging pipeline, and direct copies in chunks of the
 * pipeline's chunk size ({@value #DEFAULT_CHUNK} bytes without one). The preloader owns the sink and the pipeline it
 * is given: closing it closes them (see {@link ModelPreloader#close}). Files replaced on disk are followed: watched
 * through the source and re-stated every {@link #DEFAULT_FOLLOW_INTERVAL}.
 */
public final class PreloaderBuilder {
    private ModelSource source;
    private RamStore store;
    private EvictionPolicy policy;
    private ByteBudget budget;
    private String budgetSpec;
    private HostMemory hostMemory;
    private VramSink sink;
    /** The direct plan's chunk when neither {@link #chunkSize} nor a pipeline says otherwise: 16 MiB. */
    public static final long DEFAULT_CHUNK = 16L << 20;
    private StagingPipeline pipeline;
    private PlanMode plan = PlanMode.AUTO;
    private long chunkSize;
    private AccessJournal journal = AccessJournal.NONE;
    private InstantSource clock = InstantSource.system();
    /** How often resident models' files are re-stated besides the source's watch. */
    public static final Duration DEFAULT_FOLLOW_INTERVAL = Duration.ofSeconds(30);
    private Duration followInterval = DEFAULT_FOLLOW_INTERVAL;

    PreloaderBuilder() {
    }

    public PreloaderBuilder source(ModelSource source) {
        this.source = Objects.requireNonNull(source, "source");
        return this;
    }

    public PreloaderBuilder store(RamStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    public PreloaderBuilder policy(EvictionPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    public PreloaderBuilder budget(ByteBudget budget) {
        if (budgetSpec != null) {
            throw new IllegalStateException("budget was already set as '" + budgetSpec + "'");
        }
        this.budget = Objects.requireNonNull(budget, "budget");
        return this;
    }

    /** A budget as an operator writes it: {@code 24GiB} or {@code 50%} (a share of RAM needs {@link #hostMemory}). */
    public PreloaderBuilder budget(String spec) {
        if (budget != null) {
            throw new IllegalStateException("budget was already set to " + budget);
        }
        this.budgetSpec = Objects.requireNonNull(spec, "budget");
        return this;
    }

    public PreloaderBuilder hostMemory(HostMemory hostMemory) {
        this.hostMemory = Objects.requireNonNull(hostMemory, "hostMemory");
        return this;
    }

    public PreloaderBuilder sink(VramSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        return this;
    }

    /** The staging pipeline for transfers that cannot go direct, and for models streamed straight from disk. */
    public PreloaderBuilder pipeline(StagingPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        return this;
    }

    /** The plan a transfer uses unless it names one: {@code AUTO} (core chooses), {@code DIRECT} or {@code STAGED}. */
    public PreloaderBuilder plan(PlanMode plan) {
        this.plan = Objects.requireNonNull(plan, "plan");
        return this;
    }

    /** The direct plan's chunk: the unit of its progress, cancellation and checksums (4 KiB to 1 GiB). */
    public PreloaderBuilder chunkSize(long bytes) {
        if (bytes < 4096 || bytes > (1L << 30)) {
            throw new IllegalArgumentException("chunk size " + bytes + " is out of range: 4 KiB to 1 GiB");
        }
        this.chunkSize = bytes;
        return this;
    }

    public PreloaderBuilder journal(AccessJournal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
        return this;
    }

    public PreloaderBuilder clock(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * How often the files of resident and pinned models are looked at for replacements besides what the source's
     * watch tells ({@link #DEFAULT_FOLLOW_INTERVAL} by default); {@link Duration#ZERO} leaves only the watch.
     * A replaced file is loaded anew in the background once its header is valid.
     */
    public PreloaderBuilder followInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("the follow interval is negative: " + interval);
        }
        this.followInterval = interval;
        return this;
    }

    public ModelPreloader build() {
        if (source == null) {
            throw new IllegalStateException("a ModelSource is required: call source(...), e.g. with a models folder");
        }
        if (store == null) {
            throw new IllegalStateException("a RamStore is required: call store(...), e.g. with an mmap store");
        }
        if (plan == PlanMode.STAGED && pipeline == null) {
            throw new IllegalStateException("plan staged needs a staging pipeline: call pipeline(...) too, or use plan auto or direct");
        }
        if (plan == PlanMode.STAGED && sink != null && !sink.receivesChunks()) {
            throw new IllegalStateException("plan staged needs a sink that receives chunks; the " + sink.name() + " sink does not");
        }
        long chunk = chunkSize > 0 ? chunkSize : pipeline != null ? pipeline.chunkSize() : DEFAULT_CHUNK;
        DefaultModelPreloader.Transfers transfers = new DefaultModelPreloader.Transfers(Optional.ofNullable(pipeline), plan, chunk);
        ByteBudget resolved = resolveBudget();
        ExecutorService loader = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("preloader-load-", 0).daemon().factory());
        // One thread frees evicted models nobody waits for and samples residency, one job after another, off every lock.
        ExecutorService background = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("preloader-release").daemon().factory());
        return new DefaultModelPreloader(source, store, policy == null ? new LruPolicy() : policy, resolved,
                Optional.ofNullable(sink), journal, clock, loader, background, transfers, followInterval);
    }

    private ByteBudget resolveBudget() {
        if (budget != null) {
            return budget;
        }
        String spec = budgetSpec == null ? ByteBudget.DEFAULT : budgetSpec;
        if (spec.strip().endsWith("%") && hostMemory == null) {
            throw new IllegalStateException("budget '" + spec + "' is a share of RAM: call hostMemory(...) too, or give the budget in bytes");
        }
        return ByteBudget.parse(spec, hostMemory == null ? 0 : hostMemory.totalBytes());
    }
}
