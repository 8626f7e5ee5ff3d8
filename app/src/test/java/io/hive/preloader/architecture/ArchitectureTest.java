package io.hive.preloader.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hexagon holds over every module's production classes. */
class ArchitectureTest {
    static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = HexagonRules.production();
    }

    @Test
    void importsEveryModule() {
        // A rule over an empty import passes vacuously: make sure each module's classes are really there.
        for (String pkg : new String[]{"core.gguf", "core.cache", "core.service", "linux", "adapters.fs", "adapters.mmap", "adapters.buffer", "adapters.hostsink", "adapters.process", "adapters.cuda", "adapters.disruptor", "adapters.hugepages", "adapters.caffeine", "adapters.http", "app"}) {
            assertThat(production.stream().anyMatch(c -> c.getPackageName().startsWith(HexagonRules.ROOT + "." + pkg)))
                    .as("classes of %s imported", pkg).isTrue();
        }
        assertThat(production.stream().noneMatch(c -> c.getPackageName().contains("planted"))).as("no test classes imported").isTrue();
    }

    @Test
    void coreImportsOnlyJava() {
        HexagonRules.CORE_IMPORTS_ONLY_JAVA.check(production);
    }

    @Test
    void coreDoesNoIoAndNoNativeCalls() {
        HexagonRules.CORE_DOES_NO_IO.check(production);
    }

    @Test
    void theDomainDoesNotReachIntoTheServiceLayer() {
        HexagonRules.DOMAIN_DOES_NOT_REACH_INTO_SERVICES.check(production);
    }

    @Test
    void valuesAndGgufKnowNoPortsOrCache() {
        HexagonRules.MODEL_AND_GGUF_KNOW_NO_PORTS_OR_CACHE.check(production);
    }

    @Test
    void guiceAppearsOnlyInTheAppsWiring() {
        HexagonRules.GUICE_ONLY_IN_APP_WIRING.check(production);
    }

    @Test
    void noAdapterReachesIntoAnother() {
        HexagonRules.ADAPTERS_DO_NOT_KNOW_EACH_OTHER.check(production);
    }

    @Test
    void theDisruptorStaysInItsAdapter() {
        HexagonRules.DISRUPTOR_ONLY_IN_ITS_ADAPTER.check(production);
    }

    @Test
    void ffmDowncallsStayInTheNativeTables() {
        HexagonRules.FFM_LINKER_ONLY_IN_THE_NATIVE_TABLES.check(production);
    }

    @Test
    void theNativeLibraryKnowsNoAdapter() {
        HexagonRules.THE_NATIVE_LIBRARY_KNOWS_NO_ADAPTER.check(production);
    }

    @Test
    void chronicleAppearsOnlyInTheHugepagesAdapter() {
        HexagonRules.CHRONICLE_ONLY_IN_HUGEPAGES.check(production);
    }

    @Test
    void caffeineAppearsOnlyInItsAdapter() {
        HexagonRules.CAFFEINE_ONLY_IN_ITS_ADAPTER.check(production);
    }

    @Test
    void adaptersDoNotKnowTheApp() {
        HexagonRules.ADAPTERS_DO_NOT_KNOW_THE_APP.check(production);
    }
}
