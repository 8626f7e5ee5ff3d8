package io.hive.preloader.app.cli;

import io.hive.preloader.adapters.mmap.PageCache;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.model.ModelDescriptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code preloader evict ID|FILE}: drops a model file's pages from the page cache, as {@code vmtouch -e} does.
 * Pages that a process has mapped and locked, or not yet written back, stay; the numbers after say so.
 */
@Command(name = "evict", mixinStandardHelpOptions = true,
        description = "Drops a model's pages from the page cache and reports resident bytes before and after.")
final class EvictCommand extends Subcommand {

    @Parameters(paramLabel = "ID|FILE", description = "a model id, or the path of a .gguf file")
    String model;

    @Override
    public Integer call() {
        ModelArgs.Target target = ModelArgs.parse(model);
        PreloaderConfig config = root.configFor(List.of(target));
        ModelDescriptor descriptor = ModelArgs.find(target, Wiring.source(config), config.modelFolders());
        long before = PageCache.residentBytes(descriptor.path());
        PageCache.drop(descriptor.path());
        long after = PageCache.residentBytes(descriptor.path());
        long size = descriptor.size();
        PrintWriter out = out();
        out.printf("evicted %s from the page cache: %s (%s) resident before, %s (%s) after%n", descriptor.id(),
                Units.bytes(before), Units.percent(before, size), Units.bytes(after), Units.percent(after, size));
        if (after > 0) {
            out.printf("  %s stay: pages another process has mapped or locked, or not yet written back, are not dropped%n",
                    Units.bytes(after));
        }
        out.flush();
        return 0;
    }
}
