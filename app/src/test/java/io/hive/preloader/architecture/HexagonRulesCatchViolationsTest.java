package io.hive.preloader.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.hive.preloader.adapters.planteda.BindsLibcItself;
import io.hive.preloader.adapters.planteda.MapsWithChronicle;
import io.hive.preloader.adapters.planteda.UsesTheNativeLibrary;
import io.hive.preloader.adapters.planteda.UsesOtherAdapter;
import io.hive.preloader.adapters.plantedb.KnowsApp;
import io.hive.preloader.adapters.plantedb.OtherAdapter;
import io.hive.preloader.app.planted.AppThing;
import io.hive.preloader.app.planted.LinksNative;
import io.hive.preloader.app.planted.RanksWithCaffeine;
import io.hive.preloader.app.planted.RunsARing;
import io.hive.preloader.core.model.planted.ReachesPort;
import io.hive.preloader.core.model.planted.ReachesService;
import io.hive.preloader.core.planted.CallsNative;
import io.hive.preloader.core.planted.ExecsRuntime;
import io.hive.preloader.core.planted.OpensSocket;
import io.hive.preloader.core.planted.OpensChannel;
import io.hive.preloader.core.planted.ReadsFiles;
import io.hive.preloader.core.planted.StartsProcess;
import io.hive.preloader.core.planted.UsesGuice;
import io.hive.preloader.linux.planted.KnowsAnAdapter;
import io.hive.preloader.linux.planted.LibraryCall;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each rule fails on a planted violation: a rule that names a missing package would pass vacuously. */
class HexagonRulesCatchViolationsTest {

    private static void assertCaught(ArchRule rule, String expected, Class<?>... planted) {
        JavaClasses classes = new ClassFileImporter().importClasses(planted);
        assertThatThrownBy(() -> rule.check(classes)).isInstanceOf(AssertionError.class).hasMessageContaining(expected);
    }

    @Test
    void coreReadingAFileFails() {
        assertCaught(HexagonRules.CORE_DOES_NO_IO, "java.nio.file.Files.readAllBytes", ReadsFiles.class);
    }

    @Test
    void coreMakingANativeCallFails() {
        assertCaught(HexagonRules.CORE_DOES_NO_IO, "java.lang.foreign.Linker.nativeLinker", CallsNative.class);
    }

    @Test
    void coreOpeningAFileChannelFails() {
        assertCaught(HexagonRules.CORE_DOES_NO_IO, "FileChannel.open", OpensChannel.class);
    }

    @Test
    void coreStartingAProcessFails() {
        assertCaught(HexagonRules.CORE_DOES_NO_IO, "java.lang.ProcessBuilder", StartsProcess.class);
    }

    @Test
    void coreExecutingThroughTheRuntimeFails() {
        assertCaught(HexagonRules.CORE_DOES_NO_IO, "Runtime.exec", ExecsRuntime.class);
    }

    @Test
    void coreOpeningASocketFails() {
        assertCaught(HexagonRules.CORE_DOES_NO_IO, "java.net.Socket", OpensSocket.class);
    }

    @Test
    void aFrameworkInCoreFails() {
        assertCaught(HexagonRules.CORE_IMPORTS_ONLY_JAVA, "com.google.inject", UsesGuice.class);
    }

    @Test
    void theDomainReachingIntoServicesFails() {
        assertCaught(HexagonRules.DOMAIN_DOES_NOT_REACH_INTO_SERVICES, "ModelPreloader", ReachesService.class);
    }

    @Test
    void aValueKnowingAPortFails() {
        assertCaught(HexagonRules.MODEL_AND_GGUF_KNOW_NO_PORTS_OR_CACHE, "RamStore", ReachesPort.class);
    }

    @Test
    void guiceOutsideTheWiringPackageFails() {
        assertCaught(HexagonRules.GUICE_ONLY_IN_APP_WIRING, "com.google.inject.Injector", AppThing.class);
    }

    @Test
    void anAdapterReachingIntoAnotherFails() {
        assertCaught(HexagonRules.ADAPTERS_DO_NOT_KNOW_EACH_OTHER, "planteda", UsesOtherAdapter.class, OtherAdapter.class);
    }

    @Test
    void theDisruptorOutsideItsAdapterFails() {
        assertCaught(HexagonRules.DISRUPTOR_ONLY_IN_ITS_ADAPTER, "com.lmax.disruptor.RingBuffer", RunsARing.class);
    }

    @Test
    void anFfmDowncallOutsideTheNativeTablesFails() {
        assertCaught(HexagonRules.FFM_LINKER_ONLY_IN_THE_NATIVE_TABLES, "java.lang.foreign.Linker", LinksNative.class);
    }

    @Test
    void anAdapterBindingLibcItselfFails() {
        assertCaught(HexagonRules.FFM_LINKER_ONLY_IN_THE_NATIVE_TABLES, "java.lang.foreign.Linker", BindsLibcItself.class);
    }

    @Test
    void theNativeLibraryKnowingAnAdapterFails() {
        assertCaught(HexagonRules.THE_NATIVE_LIBRARY_KNOWS_NO_ADAPTER, "OtherAdapter", KnowsAnAdapter.class, OtherAdapter.class);
    }

    @Test
    void anAdapterUsingTheNativeLibraryIsNoAdapterReachingIntoAnother() {
        JavaClasses classes = new ClassFileImporter().importClasses(UsesTheNativeLibrary.class, LibraryCall.class);
        HexagonRules.ADAPTERS_DO_NOT_KNOW_EACH_OTHER.check(classes);
        HexagonRules.THE_NATIVE_LIBRARY_KNOWS_NO_ADAPTER.check(classes);
    }

    @Test
    void chronicleOutsideTheHugepagesAdapterFails() {
        assertCaught(HexagonRules.CHRONICLE_ONLY_IN_HUGEPAGES, "net.openhft.chronicle.bytes.MappedFile", MapsWithChronicle.class);
    }

    @Test
    void caffeineOutsideItsAdapterFails() {
        assertCaught(HexagonRules.CAFFEINE_ONLY_IN_ITS_ADAPTER, "com.github.benmanes.caffeine.cache.Caffeine", RanksWithCaffeine.class);
    }

    @Test
    void anAdapterKnowingTheAppFails() {
        assertCaught(HexagonRules.ADAPTERS_DO_NOT_KNOW_THE_APP, "AppThing", KnowsApp.class, AppThing.class);
    }
}
