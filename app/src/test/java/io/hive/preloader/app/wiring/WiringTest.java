package io.hive.preloader.app.wiring;

import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.config.PreloaderConfig.Policy;
import io.hive.preloader.app.config.PreloaderConfig.Store;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.service.Loaded;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.PreloaderStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WiringTest {
    private static final LlamaSpec SMALL = new LlamaSpec(ModelId.of("small"), 256, 512, 4, 4, 2, 1000);
    private static final LlamaSpec OTHER = new LlamaSpec(ModelId.of("other"), 256, 512, 4, 4, 3, 1000);

    @TempDir
    Path models;

    static Stream<Arguments> storesAndPolicies() {
        return Arrays.stream(Store.values()).flatMap(store -> Arrays.stream(Policy.values()).map(policy -> Arguments.of(store, policy)));
    }

    private PreloaderConfig config(Store store, Policy policy, String budget) {
        return PreloaderConfig.defaults().withModels(List.of(models)).withStore(store).withPolicy(policy).withBudget(budget);
    }

    @ParameterizedTest(name = "store {0}, policy {1}")
    @MethodSource("storesAndPolicies")
    void shouldWireAWorkingPreloader(Store store, Policy policy) throws IOException {
        Path file = DemoModels.write(models, SMALL);
        byte[] expected = Files.readAllBytes(file);

        try (ModelPreloader preloader = Wiring.preloader(config(store, policy, "64MiB"))) {
            assertThat(preloader.catalog()).singleElement().satisfies(m -> assertThat(m.id()).isEqualTo(SMALL.id()));

            Loaded loaded = preloader.preload(SMALL.id()).join();
            assertThat(loaded.bytes()).isEqualTo(expected.length);
            assertThat(loaded.origin()).isEqualTo(Origin.DISK);

            try (Lease lease = preloader.open(SMALL.id()).orElseThrow()) {
                assertThat(lease.bytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
            }
            try (DeviceCopy copy = preloader.transfer(SMALL.id(), 0)) {
                assertThat(copy.bytes()).isEqualTo(expected.length);
            }

            PreloaderStats stats = preloader.stats();
            assertThat(stats.cache().store()).startsWith(PreloaderConfig.nameOf(store)); // hugepages adds its mode: hugepages:thp
            assertThat(stats.cache().policy()).isEqualTo(PreloaderConfig.nameOf(policy));
            assertThat(stats.cache().budgetBytes()).isEqualTo(64L << 20);
            assertThat(stats.cache().entries()).extracting(CacheSnapshot.Entry::id).containsExactly(SMALL.id());
            assertThat(stats.hits()).isEqualTo(2);
            assertThat(stats.transfers()).isEqualTo(1);
        }
        assertThat(models.resolve(PreloaderConfig.JOURNAL_FILE)).content().contains("small\t");
    }

    @ParameterizedTest(name = "store {0}, policy {1}")
    @MethodSource("storesAndPolicies")
    void shouldWireWithoutAnInjectorWhatGuiceWires(Store store, Policy policy) {
        DemoModels.write(models, SMALL);
        PreloaderConfig config = config(store, policy, "50%");

        try (ModelPreloader direct = Wiring.preloader(config);
             ModelPreloader guice = com.google.inject.Guice.createInjector(Wiring.modules(config)).getInstance(ModelPreloader.class)) {
            direct.preload(SMALL.id()).join();
            guice.preload(SMALL.id()).join();
            PreloaderStats wired = direct.stats();
            PreloaderStats injected = guice.stats();
            assertThat(wired.cache().store()).isEqualTo(injected.cache().store());
            assertThat(wired.cache().policy()).isEqualTo(injected.cache().policy());
            assertThat(wired.cache().budgetBytes()).isEqualTo(injected.cache().budgetBytes());
            assertThat(wired.storeReservedBytes()).isEqualTo(injected.storeReservedBytes());
            assertThat(direct.catalog()).isEqualTo(guice.catalog());
        }
    }

    @Test
    void shouldEvictByTheConfiguredPolicyWhenTheBudgetIsFull() {
        DemoModels.write(models, SMALL);
        DemoModels.write(models, OTHER);
        long budget = DemoModels.fileSize(OTHER) + DemoModels.fileSize(SMALL) / 2;

        try (ModelPreloader preloader = Wiring.preloader(config(Store.MMAP, Policy.LRU, Long.toString(budget)))) {
            preloader.preload(SMALL.id()).join();
            preloader.preload(OTHER.id()).join();

            assertThat(preloader.stats().cache().evictions()).isEqualTo(1);
            assertThat(preloader.open(SMALL.id())).isEmpty();
            assertThat(preloader.open(OTHER.id())).hasValueSatisfying(Lease::close);
        }
    }

    @Test
    void shouldWireTheHugepagesStoreToItsFoldersAndHandOffItsSharedFile() throws IOException {
        Path file = DemoModels.write(models, SMALL);
        Path shared = Files.createDirectory(models.resolve("shared"));
        PreloaderConfig config = config(Store.HUGEPAGES, Policy.CAFFEINE, "64MiB")
                .withHugepages(new PreloaderConfig.HugePages(Optional.of(models.resolve("no-hugetlbfs")), shared));

        try (ModelPreloader preloader = Wiring.preloader(config)) {
            try (Lease lease = preloader.get(SMALL.id())) {
                assertThat(lease.handoff()).isInstanceOfSatisfying(Handoff.SharedFile.class, h -> {
                    assertThat(h.file().getParent()).isEqualTo(shared);
                    assertThat(h.file()).hasSameBinaryContentAs(file);
                });
            }
            assertThat(preloader.stats().cache().store()).isEqualTo("hugepages:plain"); // a disk folder: no huge pages
            assertThat(preloader.stats().cache().policy()).isEqualTo("caffeine");
        }
        assertThat(shared).isEmptyDirectory();
    }

    @Test
    void shouldSizeTheCaffeinePolicyFromTheBudgetAndEvictThroughIt() {
        DemoModels.write(models, SMALL);
        DemoModels.write(models, OTHER);
        long budget = DemoModels.fileSize(OTHER) + DemoModels.fileSize(SMALL) / 2;

        try (ModelPreloader preloader = Wiring.preloader(config(Store.MMAP, Policy.CAFFEINE, Long.toString(budget)))) {
            preloader.preload(SMALL.id()).join();
            preloader.preload(OTHER.id()).join();

            assertThat(preloader.stats().cache().policy()).isEqualTo("caffeine");
            assertThat(preloader.stats().cache().evictions()).isEqualTo(1);
            assertThat(preloader.stats().cache().usedBytes()).isLessThanOrEqualTo(budget);
        }
    }

    @Test
    void shouldSizeAShareOfRamFromTheHost() {
        DemoModels.write(models, SMALL);

        try (ModelPreloader preloader = Wiring.preloader(config(Store.MMAP, Policy.LRU, "50%"))) {
            assertThat(preloader.stats().cache().budgetBytes()).isGreaterThan(DemoModels.fileSize(SMALL));
        }
    }

    @Test
    void shouldReadTheJournalTheConfigNames() throws IOException {
        Path journal = models.resolve("counts.tsv");
        Files.writeString(journal, "small\t7\n");
        PreloaderConfig config = PreloaderConfig.defaults().withModels(List.of(models));

        assertThat(Wiring.journal(config).read()).isEmpty();
        assertThat(Wiring.journal(io.hive.preloader.app.config.ConfigLoader.parse("journal: " + journal, models.resolve("p.yaml"))
                .withModels(List.of(models))).read()).containsEntry(SMALL.id(), 7L);
    }

    @Test
    void shouldPassOnTheAdaptersOwnErrorNotGuices() {
        PreloaderConfig missing = PreloaderConfig.defaults().withModels(List.of(models.resolve("absent")));

        assertThatThrownBy(() -> Wiring.source(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("models folder " + models.resolve("absent"));
    }
}
