package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.testing.NativeReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The RamStore contract, plus what a hugepages store promises in every mode: a shared file that a second process
 * reads byte-exact, whole pages reserved, the file deleted on release. Each mode available here extends this class.
 */
@ExtendWith(TestMounts.class)
abstract class SharedFileStoreContract extends RamStoreContract {
    static final int MIB = 1 << 20;

    /** The folder the store under test puts its files in; skips the test when this mode is not available here. */
    abstract Path sharedDir();

    abstract Mode expectedMode();

    abstract HugePageRamStore store();

    @Override
    protected HugePageRamStore newStore() {
        return store();
    }

    @AfterEach
    void leavesNoSharedFileBehind() {
        assertThat(ourFiles(sharedDir())).as("shared files of this process left in " + sharedDir()).isEmpty();
    }

    static List<Path> ourFiles(Path dir) {
        String prefix = "preloader-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void saysWhichPagesItGotInItsName() {
        HugePageRamStore store = store();

        assertThat(store.mode()).isEqualTo(expectedMode());
        assertThat(store.name()).isEqualTo("hugepages:" + expectedMode().label());
        assertThat(store.placement().directory()).isEqualTo(sharedDir().toAbsolutePath().normalize());
        assertThat(store.placement().reason()).isNotBlank();
    }

    @Test
    void aWorkerProcessMapsTheHandedOffFileAndReadsTheModelByteExact() throws Exception {
        byte[] contents = ModelFiles.model(5 * MIB + 3, 40);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));
        HugePageRamStore store = store();

        ResidentRegion region = store.load(model, LoadProgress.NONE);
        try {
            assertThat(region.handoff()).isInstanceOf(Handoff.SharedFile.class);
            Path shared = ((Handoff.SharedFile) region.handoff()).file();
            assertThat(shared.getParent()).isEqualTo(store.placement().directory());

            String[] worker = SharedFileWorker.runOn(shared, contents.length);

            assertThat(worker[0]).as("CRC32C the worker read").isEqualTo(SharedFileWorker.crcOf(contents));
            long expectedLength = expectedMode() == Mode.HUGETLBFS ? store.placement().roundUp(contents.length) : contents.length;
            assertThat(Long.parseLong(worker[1])).as("the shared file's length").isEqualTo(expectedLength);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void aReleaseWhileAReaderIsInANativeCallKeepsTheFileAndTheReservationAndCanBeDoneAgain() throws IOException {
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.randomBytes(3 * MIB, 42)));
        HugePageRamStore store = store();
        ResidentRegion region = store.load(model, LoadProgress.NONE);
        Path shared = ((Handoff.SharedFile) region.handoff()).file();
        long reserved = store.reservedBytes().orElseThrow();

        try (NativeReader reader = NativeReader.holding(region.bytes())) {
            assertThatThrownBy(() -> region.release(ResidentRegion.Release.DROP)).isInstanceOf(IllegalStateException.class);

            assertThat(mapped(shared)).as("still mapped: the reader is in it").isTrue();
            assertThat(shared).as("the file is the memory, still held").exists();
            assertThat(store.reservedBytes()).as("what is still held stays counted").hasValue(reserved);
            assertThat(region.residentBytes()).isEqualTo(model.size());
        }

        region.release(ResidentRegion.Release.DROP);

        assertThat(mapped(shared)).isFalse();
        assertThat(shared).doesNotExist();
        assertThat(store.reservedBytes()).hasValue(0);
        assertThat(region.residentBytes()).isZero();
    }

    @ParameterizedTest
    @EnumSource(ResidentRegion.Release.class)
    void releaseUnmapsAndDeletesTheSharedFileWhicheverTheMode(ResidentRegion.Release how) throws IOException {
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.model(3 * MIB, 41)));
        HugePageRamStore store = store();
        ResidentRegion region = store.load(model, LoadProgress.NONE);
        Path shared = ((Handoff.SharedFile) region.handoff()).file();
        assertThat(shared).exists();
        assertThat(mapped(shared)).isTrue();

        region.release(how);

        assertThat(shared).doesNotExist();
        assertThat(mapped(shared)).as("still mapped").isFalse();
        assertThat(region.residentBytes()).isZero();
        assertThat(store.reservedBytes()).hasValue(0);
    }

    @Test
    void reservesWholePagesAndCountsThem() {
        long size = 3L * MIB + 13;
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.model(size, 42)));
        HugePageRamStore store = store();
        long page = store.placement().pageSize();

        ResidentRegion region = store.load(model, LoadProgress.NONE);
        try {
            long expected = (size + page - 1) / page * page;
            assertThat(((SharedFileRegion) region).reservedBytes()).isEqualTo(expected);
            assertThat(store.reservedBytes()).hasValue(expected);
            assertThat(region.residentBytes()).as("the model's own bytes, not the padding").isEqualTo(size);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void theSharedFileIsReadableByWhoeverMayReadTheModelAndWritableByNoOneElse() throws IOException {
        Path groupReadable = ModelFiles.write(dir, "g.gguf", ModelFiles.model(MIB, 43));
        Files.setPosixFilePermissions(groupReadable, PosixFilePermissions.fromString("rw-r-----"));
        Path ownerOnly = ModelFiles.write(dir, "o.gguf", ModelFiles.model(MIB, 44));
        Files.setPosixFilePermissions(ownerOnly, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(ownerOnly, PosixFilePermissions.fromString("r--------"));
        HugePageRamStore store = store();

        ResidentRegion g = store.load(ModelFiles.describe(groupReadable), LoadProgress.NONE);
        ResidentRegion o = store.load(ModelFiles.describe(ownerOnly), LoadProgress.NONE);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(((Handoff.SharedFile) g.handoff()).file())))
                    .isEqualTo("rw-r-----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(((Handoff.SharedFile) o.handoff()).file())))
                    .isEqualTo("rw-------");
        } finally {
            g.release(ResidentRegion.Release.DROP);
            o.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void aModelOfManyRangesArrivesWholeWithProgressFromTheLoadingThread() throws IOException {
        assumeTrue(expectedMode() != Mode.HUGETLBFS, "the test's hugetlbfs pool holds a few huge pages, not 320 MiB");
        long size = SharedFileCopy.PARALLEL_FROM + SharedFileCopy.RANGE + 4099;
        Path file = dir.resolve("large.gguf");
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // Large enough for two reading threads where the store reads into a mapping; sparse but for a mark in each range
            // and at the end, so that a range copied to the wrong place shows.
            for (long at = 0; at < size; at += SharedFileCopy.RANGE) {
                f.write(ByteBuffer.wrap(ModelFiles.randomBytes(4096, at)), at);
            }
            f.write(ByteBuffer.wrap(ModelFiles.randomBytes(99, 7)), size - 99);
        }
        Thread loader = Thread.currentThread();
        List<Long> reported = new ArrayList<>();

        ResidentRegion region = store().load(ModelFiles.describe(file), (done, total) -> {
            assertThat(Thread.currentThread()).isSameAs(loader);
            reported.add(done);
        });
        try (FileChannel f = FileChannel.open(file); Arena arena = Arena.ofConfined()) {
            assertThat(region.bytes().mismatch(f.map(FileChannel.MapMode.READ_ONLY, 0, size, arena))).isEqualTo(-1);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
        assertThat(reported).isSorted().startsWith(0L).endsWith(size);
    }

    @Test
    void anEmptyModelIsAnEmptySharedFile() {
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "empty.gguf", new byte[0]));
        HugePageRamStore store = store();

        ResidentRegion region = store.load(model, LoadProgress.NONE);

        Path shared = ((Handoff.SharedFile) region.handoff()).file();
        assertThat(shared).isEmptyFile();
        assertThat(region.bytes().byteSize()).isZero();
        assertThat(region.residentBytes()).isZero();
        region.release(ResidentRegion.Release.DROP);
        assertThat(shared).doesNotExist();
    }

    /** Whether this process maps {@code file}, from /proc/self/maps (a deleted file still mapped shows as such). */
    static boolean mapped(Path file) throws IOException {
        String name = file.toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.endsWith(name) || l.endsWith(name + " (deleted)"));
    }
}
