package io.hive.preloader.app.cli;

import io.hive.preloader.adapters.mmap.PageCache;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.service.Loaded;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.StartupPreload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/** {@code preloader preload ID|FILE…}: loads models into RAM, one after another, and says how fast each came. */
@Command(name = "preload", mixinStandardHelpOptions = true,
        description = {"Loads models into RAM through the configured store, in the order given.",
                "With the mmap store the pages stay in the page cache after the command exits, warm for a worker."})
final class PreloadCommand extends Subcommand {

    @Parameters(paramLabel = "ID|FILE", arity = "0..*", description = "model ids, or paths of .gguf files")
    List<String> models = new ArrayList<>();

    @Option(names = "--auto", paramLabel = "N", arity = "0..1", fallbackValue = "-1",
            description = "also preload the kept models (config 'keep') and the N others used most, by the access journal "
                    + "(N defaults to the config's auto_preload)")
    Integer auto;

    @Option(names = "--no-progress", description = "no progress bar, even on a terminal")
    boolean noProgress;

    @Override
    public Integer call() {
        if (models.isEmpty() && auto == null) {
            throw Failure.badInput("preload needs at least one ID or FILE, or --auto (see 'preloader preload --help')");
        }
        List<ModelArgs.Target> targets = ModelArgs.parse(models);
        PreloaderConfig config = root.configFor(targets);
        PrintWriter out = out();
        PrintWriter err = err();
        boolean bar = !noProgress && ProgressBar.interactive();
        try (ModelPreloader preloader = Wiring.preloader(config)) {
            // Each model named is looked up by its id: the folders are listed only when --auto asks for them.
            ModelSource source = Wiring.source(config);
            List<ModelDescriptor> chosen = new ArrayList<>();
            Map<ModelId, ModelArgs.Target> given = new HashMap<>();
            for (ModelArgs.Target target : targets) {
                chosen.add(ModelArgs.find(target, source, config.modelFolders()));
                given.put(target.id(), target);
            }
            if (auto != null) {
                List<ModelDescriptor> catalog = preloader.catalog();
                int count = auto < 0 ? config.autoPreload() : auto;
                // What a daemon loads at startup: the kept models, then the most used others.
                StartupPreload.Plan plan = new StartupPreload(config.keep(), count).plan(preloader);
                plan.unknown().forEach(id -> err.println("warning: keep: no model " + id + " in the models folders"));
                for (ModelId id : Stream.concat(plan.keep().stream(), plan.mostUsed().stream()).toList()) {
                    catalog.stream().filter(m -> m.id().equals(id) && !chosen.contains(m)).forEach(chosen::add);
                }
                if (chosen.isEmpty()) {
                    out.println("nothing to preload: no model is kept and the access journal names no model in use (auto_preload " + count + ")");
                }
            }
            int width = chosen.stream().mapToInt(m -> m.id().value().length()).max().orElse(0);
            for (ModelDescriptor model : chosen) {
                long cachedBefore = cachedBytes(model);
                ProgressBar progress = new ProgressBar(err, model.id().value(), bar);
                Loaded loaded;
                try {
                    loaded = preloader.preload(model.id(), progress).join(); // a failure is unwrapped by ErrorHandler
                } catch (CompletionException e) {
                    // A file that is not a valid model: refused in inspect's words, the file named as it was typed.
                    if (e.getCause() instanceof InvalidModelException invalid && given.containsKey(model.id())) {
                        throw ModelArgs.refusal(given.get(model.id()), invalid);
                    }
                    throw e;
                } finally {
                    progress.finish();
                }
                boolean kept = config.keep().contains(model.id());
                if (kept) {
                    preloader.pin(model.id()); // never evicted by the models loaded after it
                }
                // A model whose digest is known is resident only once its bytes matched it (here or earlier).
                out.printf("preloaded %-" + width + "s  %10s  in %9s  %10s  %s%s%s%n", model.id(), Units.bytes(loaded.bytes()),
                        Units.seconds(loaded.took()), Units.rate(loaded.bytes(), loaded.took()), origin(loaded, cachedBefore, model.size()),
                        model.digest().isPresent() ? ", SHA-256 verified" : "", kept ? ", kept" : "");
                out.flush();
            }
            if (config.store() != PreloaderConfig.Store.MMAP && !chosen.isEmpty()) {
                out.println("note: the " + PreloaderConfig.nameOf(config.store())
                        + " store's copies are freed when this command exits; 'serve' keeps models resident");
            }
        }
        return 0;
    }

    /** Where a load came from; for one from disk, how much of the file the page cache already held (a warm load is faster). */
    static String origin(Loaded loaded, long cachedBefore, long size) {
        if (loaded.origin() == Origin.RAM) {
            return "already resident";
        }
        return cachedBefore < 0 ? "from disk" : "from disk (" + Units.percent(cachedBefore, size) + " was in the page cache)";
    }

    /** Page-cache bytes of the file before the load, or -1 when they cannot be read (the load then says why). */
    static long cachedBytes(ModelDescriptor model) {
        try {
            return PageCache.residentBytes(model.path());
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
