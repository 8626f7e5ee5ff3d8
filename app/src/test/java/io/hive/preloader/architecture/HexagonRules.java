package io.hive.preloader.architecture;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The hexagon's boundaries, for what the compiler cannot catch. Each rule has a planted violation in
 * {@code HexagonRulesCatchViolationsTest} that proves it can fail.
 */
final class HexagonRules {
    static final String ROOT = "io.hive.preloader";
    static final String CORE = ROOT + ".core..";
    /** The native-linux library: the Linux system calls the stores share. A library, not an adapter. */
    static final String NATIVE = ROOT + ".linux..";

    private HexagonRules() {
    }

    /** The production classes of every module: target/classes and the module jars, never test code. */
    static JavaClasses production() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
                .importPackages(ROOT);
    }

    static final ArchRule CORE_IMPORTS_ONLY_JAVA = classes().that().resideInAPackage(CORE)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", CORE, "")
            .because("core is the pure domain: no framework, no adapter");

    static final ArchRule CORE_DOES_NO_IO = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().belongToAnyOf(Files.class, File.class, FileInputStream.class, FileOutputStream.class,
                    FileReader.class, FileWriter.class, RandomAccessFile.class, FileDescriptor.class, Linker.class, SymbolLookup.class,
                    ProcessBuilder.class, Socket.class, ServerSocket.class)
            .orShould().callMethodWhere(describe("FileChannel.open", (JavaCall<?> call) ->
                    call.getTargetOwner().isEquivalentTo(FileChannel.class) && call.getName().equals("open")))
            .orShould().callMethodWhere(describe("Runtime.exec", (JavaCall<?> call) ->
                    call.getTargetOwner().isEquivalentTo(Runtime.class) && call.getName().equals("exec")))
            .because("file I/O, native calls, processes and sockets belong to adapters");

    static final ArchRule DOMAIN_DOES_NOT_REACH_INTO_SERVICES = noClasses()
            .that().resideInAnyPackage(ROOT + ".core.model..", ROOT + ".core.gguf..", ROOT + ".core.port..", ROOT + ".core.cache..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".core.service..")
            .because("the service layer uses the domain, never the other way round");

    static final ArchRule MODEL_AND_GGUF_KNOW_NO_PORTS_OR_CACHE = noClasses()
            .that().resideInAnyPackage(ROOT + ".core.model..", ROOT + ".core.gguf..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".core.port..", ROOT + ".core.cache..")
            .because("values and the GGUF format are the innermost layer");

    static final ArchRule GUICE_ONLY_IN_APP_WIRING = noClasses().that().resideOutsideOfPackage(ROOT + ".app.wiring..")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..")
            .because("Guice is one wiring of the builder; a hive may embed the preloader without it");

    static final ArchRule ADAPTERS_DO_NOT_KNOW_EACH_OTHER = slices().matching(ROOT + ".adapters.(*)..")
            .should().notDependOnEachOther()
            .because("each adapter is one mechanism; app wires them together");

    static final ArchRule DISRUPTOR_ONLY_IN_ITS_ADAPTER = noClasses().that().resideOutsideOfPackage(ROOT + ".adapters.disruptor..")
            .should().dependOnClassesThat().resideInAPackage("com.lmax.disruptor..")
            .because("the Disruptor is the staging pipeline's mechanism; everything else reaches it through core's StagingPipeline port");

    static final ArchRule CHRONICLE_ONLY_IN_HUGEPAGES = noClasses().that().resideOutsideOfPackage(ROOT + ".adapters.hugepages..")
            .should().dependOnClassesThat().resideInAPackage("net.openhft..")
            .because("Chronicle Bytes is the hugepages store's mechanism; everything else reaches it through core's RamStore port");

    static final ArchRule CAFFEINE_ONLY_IN_ITS_ADAPTER = noClasses().that().resideOutsideOfPackage(ROOT + ".adapters.caffeine..")
            .should().dependOnClassesThat().resideInAPackage("com.github.benmanes..")
            .because("Caffeine is one eviction policy's mechanism; the cache reaches it through core's EvictionPolicy port");

    static final ArchRule FFM_LINKER_ONLY_IN_THE_NATIVE_TABLES = noClasses()
            .that().resideOutsideOfPackages(NATIVE, ROOT + ".adapters.cuda..")
            .should().dependOnClassesThat().belongToAnyOf(Linker.class, SymbolLookup.class)
            .because("native calls are bound in one table per library: libc in native-linux, libcuda in the CUDA adapter");

    static final ArchRule THE_NATIVE_LIBRARY_KNOWS_NO_ADAPTER = classes().that().resideInAPackage(NATIVE)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", NATIVE, ROOT + ".core.port..", ROOT + ".core.model..", "")
            .because("native-linux is a library the stores use: it knows core's values and StoreException, no adapter and no framework");

    static final ArchRule ADAPTERS_DO_NOT_KNOW_THE_APP = noClasses().that().resideInAPackage(ROOT + ".adapters..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".app..");
}
