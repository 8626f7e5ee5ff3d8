package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Access counts in a small text file, one {@code id<TAB>count} line per model, most used first, so an operator can
 * read it. Written to a temporary file and renamed over the old one: a crash leaves the old counts or the new ones,
 * never half a file. Reading never fails: the counts only order startup preloads, and a damaged journal must not
 * keep the preloader from starting.
 */
public final class FileAccessJournal implements AccessJournal {
    private static final System.Logger LOG = System.getLogger(FileAccessJournal.class.getName());
    /** One short line per model; anything this large is not a journal (a path pointed at a model file, say). */
    static final long MAX_BYTES = 16L << 20;

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------"));
    /** Numbers this process's temporary files. */
    private static final AtomicLong TEMPORARIES = new AtomicLong();

    private final Path file;

    public FileAccessJournal(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    @Override
    public Map<ModelId, Long> read() {
        try {
            if (Files.size(file) > MAX_BYTES) {
                LOG.log(WARNING, "ignoring access journal " + file + ": larger than " + MAX_BYTES + " bytes");
                return Map.of();
            }
            // InputStreamReader replaces malformed UTF-8, so a damaged byte spoils one line, not the whole file.
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                return parse(in);
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            LOG.log(WARNING, "ignoring access journal " + file + ": " + e);
            return Map.of();
        }
    }

    private Map<ModelId, Long> parse(BufferedReader in) throws IOException {
        Map<ModelId, Long> counts = new HashMap<>();
        int number = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                String[] fields = line.split("\t", -1);
                if (fields.length != 2) {
                    throw new IllegalArgumentException("expected 'id<TAB>count'");
                }
                ModelId id = ModelId.of(fields[0]);
                long count = count(fields[1]);
                if (count < 0) {
                    throw new IllegalArgumentException("negative count " + count);
                }
                if (counts.putIfAbsent(id, count) != null) {
                    throw new IllegalArgumentException("'" + id + "' appears again; keeping the first count");
                }
            } catch (IllegalArgumentException e) {
                LOG.log(WARNING, "skipping line " + number + " of access journal " + file + ": " + e.getMessage());
            }
        }
        return Map.copyOf(counts);
    }

    private static long count(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("count '" + text + "' is not a whole number up to " + Long.MAX_VALUE, e);
        }
    }

    /** @throws UncheckedIOException naming the file when it cannot be written; the previous journal is then intact */
    @Override
    public void write(Map<ModelId, Long> accessCounts) {
        byte[] text = format(accessCounts);
        Path dir = file.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = createTemporary(dir);
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(text);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                // On disk before the rename, so a power cut cannot leave the new name on an empty file.
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write access journal " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new file of this process's own in the same directory: the rename stays on one file system, two writers never
     * share it (another process has another pid, {@code O_EXCL} refuses a file left by a dead one) and only the owner
     * may read it, as {@code Files.createTempFile} would make it, without the {@code SecureRandom} whose start took a
     * one-shot {@code preload} longer than the write itself.
     */
    private Path createTemporary(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + "." + TEMPORARIES.incrementAndGet() + ".tmp");
            try {
                return Files.createFile(tmp, OWNER_ONLY);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static byte[] format(Map<ModelId, Long> accessCounts) {
        accessCounts.entrySet().forEach(FileAccessJournal::requireCount);
        StringBuilder text = new StringBuilder();
        accessCounts.entrySet().stream()
                .sorted(Map.Entry.<ModelId, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> text.append(e.getKey().value()).append('\t').append(e.getValue()).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void requireCount(Map.Entry<ModelId, Long> entry) {
        if (entry.getValue() == null || entry.getValue() < 0) {
            throw new IllegalArgumentException("access count of '" + entry.getKey() + "' is " + entry.getValue() + "; counts are 0 or more");
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // The write already failed and says so; a stray temporary file is the lesser problem.
        }
    }
}
