package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.service.Loaded;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.ModelStats;
import io.hive.preloader.core.service.PreloaderStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code preloader demo}: the main job on the embedded default. Preloads a few models under a budget too small for
 * all of them (so LRU evicts), opens one from RAM, transfers one to the host-memory sink, and prints the stats.
 * Without configured models it first writes four llama-structured GGUF models of about 450 MiB in all.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Preloads models under a budget that forces an eviction, opens one from RAM, transfers one to "
                + "the host sink, and prints the stats.",
                "Uses the models of --config/--models when there are any; otherwise generates demo models in --dir."})
final class DemoCommand extends Subcommand {
    /** The budget is this share of the models' total, so that the last loads must evict the first. */
    private static final int BUDGET_PERCENT = 70;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "where demo models are generated and reused (default: ${TMPDIR:-/tmp}/preloader-demo/models)")
    Path dir;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = out();
        PreloaderConfig config = models();
        List<ModelDescriptor> models = Wiring.source(config).list();
        long total = models.stream().mapToLong(ModelDescriptor::size).sum();
        long largest = models.stream().mapToLong(ModelDescriptor::size).max().orElse(0);
        long budget = Math.max(largest, total / 100 * BUDGET_PERCENT);
        // The host sink's limit fits the one copy the demo makes, whatever share of this machine's RAM that is.
        config = config.withStore(PreloaderConfig.Store.MMAP).withPolicy(PreloaderConfig.Policy.LRU)
                .withBudget(Long.toString(budget)).withSink(PreloaderConfig.Sink.HOST).withHostSinkLimit(Long.toString(Math.max(1, largest)));
        out.printf("preloader: store mmap, policy lru, sink host, budget %s (%d%% of the models' %s%s)%n%n", Units.bytes(budget),
                BUDGET_PERCENT, Units.bytes(total), budget < total ? ", so loading all of them must evict" : "");

        try (ModelPreloader preloader = Wiring.preloader(config)) {
            int width = models.stream().mapToInt(m -> m.id().value().length()).max().orElse(0);
            for (ModelDescriptor model : models) {
                Set<ModelId> before = resident(preloader);
                long cachedBefore = PreloadCommand.cachedBytes(model);
                Loaded loaded = preloader.preload(model.id(), LoadProgress.NONE).join();
                out.printf("preload   %-" + width + "s  %10s  in %9s  %10s  %s%n", model.id(), Units.bytes(loaded.bytes()),
                        Units.seconds(loaded.took()), Units.rate(loaded.bytes(), loaded.took()),
                        PreloadCommand.origin(loaded, cachedBefore, model.size()));
                before.removeAll(resident(preloader));
                before.forEach(id -> out.printf("          evicted %s (least recently used) to stay within the budget%n", id));
                out.flush();
            }

            ModelId last = models.getLast().id();
            try (Lease lease = preloader.open(last).orElseThrow(() -> Failure.runtime(last + " is not resident right after its preload", null))) {
                out.printf("open      %-" + width + "s  hit: %s from RAM in %s%n", last, Units.bytes(lease.bytes().byteSize()),
                        lastOpen(preloader, last).map(Units::micros).orElse("?"));
            }
            ModelId first = models.getFirst().id();
            if (!first.equals(last)) {
                Optional<Lease> again = preloader.open(first);
                again.ifPresent(Lease::close);
                out.printf("open      %-" + width + "s  %s%n", first, again.isPresent() ? "hit: still resident"
                        : "miss: evicted earlier (get() would load it from disk again)");
            }
            try (DeviceCopy copy = preloader.transfer(last, 0)) {
                out.printf("transfer  %-" + width + "s  %10s  in %9s  %10s  to the host sink, device %d (%s)%n", last,
                        Units.bytes(copy.bytes()), Units.seconds(copy.took()), Units.rate(copy.bytes(), copy.took()),
                        copy.device(), copy.handle());
            }
            out.println();
            printStats(preloader.stats(), models);
        }
        out.flush();
        return 0;
    }

    /** The configured models when the user named some and there are any; otherwise the generated demo models. */
    private PreloaderConfig models() {
        if (root.modelsGiven()) {
            PreloaderConfig config = root.checkedConfig();
            if (!Wiring.source(config).list().isEmpty()) {
                return config;
            }
            out.printf("no models in %s%n", config.modelFolders().stream().map(Path::toString).collect(Collectors.joining(", ")));
        }
        Path folder = (dir != null ? dir : defaultDir()).toAbsolutePath().normalize();
        List<LlamaSpec> specs = DemoModels.DEFAULT;
        boolean reuse = specs.stream().allMatch(s -> DemoModels.isCurrent(DemoModels.fileFor(folder, s), s));
        long start = System.nanoTime();
        DemoModels.ensure(folder, specs);
        long bytes = specs.stream().mapToLong(DemoModels::fileSize).sum();
        if (reuse) {
            out.printf("demo models: %d llama-structured GGUF files, %s in all, reused from %s%n", specs.size(), Units.bytes(bytes), folder);
        } else {
            out.printf("demo models: wrote %d llama-structured GGUF files, %s in all, to %s in %s%n", specs.size(), Units.bytes(bytes),
                    folder, Units.seconds(Duration.ofNanos(System.nanoTime() - start)));
        }
        return PreloaderConfig.defaults().withModels(List.of(folder));
    }

    static Path defaultDir() {
        String tmp = System.getenv("TMPDIR");
        return Path.of(tmp == null || tmp.isBlank() ? "/tmp" : tmp, "preloader-demo", "models");
    }

    private static Set<ModelId> resident(ModelPreloader preloader) {
        return preloader.stats().cache().entries().stream()
                .filter(DemoCommand::serving)
                .map(CacheSnapshot.Entry::id)
                .collect(Collectors.toCollection(HashSet::new));
    }

    /** Resident or loading: not a copy on its way out (evicted but leased, or being freed). */
    private static boolean serving(CacheSnapshot.Entry e) {
        return e.state() == CacheSnapshot.State.RESIDENT || e.state() == CacheSnapshot.State.LOADING;
    }

    private static Optional<Duration> lastOpen(ModelPreloader preloader, ModelId id) {
        return preloader.stats().models().stream().filter(m -> m.id().equals(id)).findFirst().flatMap(ModelStats::lastOpenFromCache);
    }

    private void printStats(PreloaderStats stats, List<ModelDescriptor> models) {
        CacheSnapshot cache = stats.cache();
        out.println("stats");
        TextTable summary = new TextTable("", "");
        summary.row("store / policy", cache.store() + " / " + cache.policy());
        summary.row("budget", Units.bytes(cache.budgetBytes()));
        summary.row("used", Units.bytes(cache.usedBytes()) + " (" + Units.percent(cache.usedBytes(), cache.budgetBytes()) + ")");
        summary.row("hits", stats.hits());
        summary.row("misses", stats.misses());
        summary.row("hit rate", Units.percent(stats.hitRate()));
        summary.row("evictions", cache.evictions());
        summary.row("loaded from disk", Units.bytes(stats.bytesLoadedFromDisk()));
        summary.row("transferred", Units.bytes(stats.bytesTransferred()) + " in " + stats.transfers() + " transfer" + (stats.transfers() == 1 ? "" : "s"));
        summary.printRows(out, "  ");
        out.println();

        Map<ModelId, CacheSnapshot.Entry> entries = cache.entries().stream()
                .collect(Collectors.toMap(CacheSnapshot.Entry::id, Function.identity(), (a, b) -> serving(a) ? a : b));
        Map<ModelId, ModelStats> perModel = stats.models().stream().collect(Collectors.toMap(ModelStats::id, Function.identity()));
        TextTable table = new TextTable("MODEL", "SIZE>", "STATE", "RESIDENT>", "HITS>", "MISSES>", "EVICTIONS>",
                "LAST LOAD FROM DISK>", "LAST OPEN FROM CACHE>");
        for (ModelDescriptor model : models) {
            CacheSnapshot.Entry entry = entries.get(model.id());
            Optional<ModelStats> s = Optional.ofNullable(perModel.get(model.id()));
            long evictions = s.map(ModelStats::evictions).orElse(0L);
            String state = entry != null ? entry.state().name().toLowerCase(java.util.Locale.ROOT) + (entry.pinned() ? ", pinned" : "")
                    : evictions > 0 ? "evicted" : "not loaded";
            table.row(model.id(), Units.bytes(model.size()), state, Units.bytes(entry == null ? 0 : entry.residentBytes()),
                    s.map(ModelStats::hits).orElse(0L), s.map(ModelStats::misses).orElse(0L), evictions,
                    s.flatMap(ModelStats::lastLoadFromDisk).map(Units::millis).orElse("-"),
                    s.flatMap(ModelStats::lastOpenFromCache).map(Units::micros).orElse("-"));
        }
        table.print(out, "  ");
    }
}
