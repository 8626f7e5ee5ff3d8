package io.hive.preloader.linux;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelChangedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The header's bytes are the version's: a file cut in place after it was opened is a changed file, not a short one. */
class MappedHeaderTest {
    @TempDir
    Path dir;

    ModelDescriptor write(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("m.gguf"), bytes);
        return new ModelDescriptor(ModelId.of("m"), file, Fingerprint.of(Files.readAttributes(file, Fingerprint.UNIX_ATTRIBUTES)));
    }

    @Test
    void mapsTheFilesFirstBytes() throws IOException {
        byte[] bytes = new byte[65536];
        bytes[0] = 'G';
        bytes[65535] = 7;
        try (MappedHeader header = MappedHeader.open(write(bytes))) {
            var first = header.first(4096);
            assertThat(first.byteSize()).isGreaterThanOrEqualTo(4096);
            assertThat(first.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 'G');
        }
    }

    @Test
    void aFileCutInPlaceAfterItWasOpenedIsChangedNotShort() throws IOException {
        ModelDescriptor model = write(new byte[65536]);
        try (MappedHeader header = MappedHeader.open(model)) {
            try (FileChannel cut = FileChannel.open(model.path(), StandardOpenOption.WRITE)) {
                cut.truncate(100); // the same inode, as a writer rewriting it in place would leave it
            }
            // Read short, a header check would refuse a valid version as cut off, and keep that verdict.
            assertThatThrownBy(() -> header.first(4096)).isInstanceOf(ModelChangedException.class)
                    .hasMessageContaining(model.path().toString());
        }
    }
}
