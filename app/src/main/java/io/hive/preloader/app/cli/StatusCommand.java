package io.hive.preloader.app.cli;

import io.hive.preloader.adapters.hugepages.Placement;
import io.hive.preloader.adapters.mmap.PageCache;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.service.CatalogEntry;
import io.hive.preloader.core.service.ModelChecks;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code preloader status}: the models the config serves, how much of each file the page cache holds now (what a
 * worker mapping the file would find warm), how often each was used, by the access journal, and which cannot be
 * served and why (each header is read and checked; the tensor data is not); with the hugepages store, what the models
 * take there as whole pages.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Lists the models with their size, page-cache residency and access counts, and the invalid ones with why.")
final class StatusCommand extends Subcommand {

    @Override
    public Integer call() {
        PreloaderConfig config = root.checkedConfig();
        ModelSource source = Wiring.source(config);
        Map<ModelId, Long> accesses = Wiring.journal(config).read();
        List<CatalogEntry> checked = new ModelChecks(source).catalog();
        List<ModelDescriptor> models = checked.stream().flatMap(e -> e.model().stream()).toList();
        List<CatalogEntry> invalid = checked.stream().filter(e -> !e.valid()).toList();
        PrintWriter out = out();

        out.printf("models in %s: %d, store %s, policy %s, budget %s%n",
                config.models().stream().map(Path::toString).collect(Collectors.joining(", ")), models.size(),
                PreloaderConfig.nameOf(config.store()), PreloaderConfig.nameOf(config.policy()), config.budget());
        config.journalFile().ifPresent(j -> out.printf("access journal %s%n", j));
        if (models.isEmpty()) {
            out.println("no *.gguf files there");
            printInvalid(out, invalid);
            return 0;
        }
        TextTable table = new TextTable("MODEL", "SIZE>", "IN PAGE CACHE>", "BYTES>", "%>", "ACCESSES>", "FILE");
        long totalSize = 0;
        long totalCached = 0;
        for (ModelDescriptor model : models) {
            totalSize += model.size();
            long accessCount = accesses.getOrDefault(model.id(), 0L);
            try {
                long cached = PageCache.residentBytes(model.path());
                totalCached += cached;
                table.row(model.id(), Units.bytes(model.size()), Units.bytes(cached), cached, Units.percent(cached, model.size()),
                        accessCount, model.path());
            } catch (RuntimeException e) {
                // One file that cannot be mapped (permissions, removed meanwhile) must not hide the others.
                table.row(model.id(), Units.bytes(model.size()), "?", "?", "?", accessCount, model.path() + " (" + FailureReport.messageOf(e) + ")");
            }
        }
        table.row("total", Units.bytes(totalSize), Units.bytes(totalCached), totalCached, Units.percent(totalCached, totalSize), "", "");
        out.println();
        table.print(out, "");
        if (config.store() == PreloaderConfig.Store.HUGEPAGES) {
            out.println();
            out.println(wholePages(config, models));
        }
        printInvalid(out, invalid);
        out.flush();
        return 0;
    }

    /** The models that cannot be served, each with the error a load of it would be refused with. */
    private static void printInvalid(PrintWriter out, List<CatalogEntry> invalid) {
        if (invalid.isEmpty()) {
            return;
        }
        out.printf("%ninvalid: %d %s cannot be served%n", invalid.size(), invalid.size() == 1 ? "model" : "models");
        int width = invalid.stream().mapToInt(e -> e.id().value().length()).max().orElse(0);
        invalid.forEach(e -> out.printf("  %-" + width + "s  %s%n", e.id(), e.error().orElseThrow()));
    }

    /** What the models would take in the hugepages store: their sizes rounded up to its pages, which the budget does not count. */
    private static String wholePages(PreloaderConfig config, List<ModelDescriptor> models) {
        Placement placement;
        try {
            placement = Placement.choose(config.hugepages().mount(), config.hugepages().fallback());
        } catch (RuntimeException e) {
            return "hugepages store: " + FailureReport.messageOf(e);
        }
        long sizes = models.stream().mapToLong(ModelDescriptor::size).sum();
        long pages = models.stream().mapToLong(m -> placement.roundUp(m.size())).sum();
        return "hugepages store: " + placement.label() + " pages of " + Units.bytes(placement.pageSize()) + " in " + placement.directory()
                + ": the models take " + Units.bytes(pages) + " there as whole pages, " + Units.bytes(pages - sizes)
                + " more than their sizes (the budget counts sizes)";
    }
}
