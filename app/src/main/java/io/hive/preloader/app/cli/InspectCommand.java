package io.hive.preloader.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufFormatException;
import io.hive.preloader.core.gguf.GgufHeader;
import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.gguf.GgufValue;
import io.hive.preloader.core.gguf.GgufValueType;
import io.hive.preloader.core.gguf.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code preloader inspect FILE [--json]}: reads a GGUF file's header and says what is in it. The file is mapped
 * read-only for the read and unmapped before anything is printed; nothing of the tensor data is read.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Validates a GGUF file's header and prints its version, counts, layout and metadata.")
final class InspectCommand extends Subcommand {
    private static final int SHOWN_CHARS = 96;

    @Parameters(paramLabel = "FILE", description = "a .gguf file")
    String file;

    @Option(names = "--json", description = "print one JSON object instead of the summary")
    boolean json;

    @Override
    public Integer call() {
        Path path = Path.of(file);
        GgufHeader header = read(path, file);
        PrintWriter out = out();
        if (json) {
            out.println(json(header, path));
        } else {
            summary(out, header, path);
        }
        out.flush();
        return 0;
    }

    /**
     * Maps the file and reads its header; every way it can fail becomes one line naming the file.
     *
     * @param shown the file as the user typed it, for messages
     */
    static GgufHeader read(Path path, String shown) {
        if (Files.isDirectory(path)) {
            throw Failure.badInput(shown + ": is a directory, not a GGUF file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw Failure.badInput(shown + ": not a regular file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return GgufReader.read(bytes);
        } catch (NoSuchFileException e) {
            throw Failure.badInput(shown + ": no such file");
        } catch (AccessDeniedException e) {
            throw Failure.badInput(shown + ": permission denied");
        } catch (IOException e) {
            throw Failure.badInput(shown + ": cannot read: " + e.getMessage(), e);
        } catch (GgufFormatException e) {
            throw Failure.badInput(shown + ": " + e.problem() + " (at byte " + e.offset() + ")", e);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            // The reader checks every length before reading; this is the net under it, still one line.
            throw Failure.badInput(shown + ": not a valid GGUF file: " + FailureReport.messageOf(e), e);
        }
    }

    static String json(GgufHeader header, Path path) {
        ObjectNode json = Json.object()
                .put("file", path.toAbsolutePath().normalize().toString())
                .put("size", header.fileSize())
                .put("version", header.version())
                .put("tensor_count", header.tensorCount())
                .put("kv_count", header.kvCount())
                .put("alignment", header.alignment())
                .put("data_offset", header.dataOffset())
                .put("tensor_bytes", header.tensorBytes())
                .put("architecture", header.architecture().orElse(null));
        ObjectNode metadata = json.putObject("metadata");
        header.metadata().forEach((key, value) -> metadata.set(key, value(value)));
        ArrayNode tensors = json.putArray("tensors");
        for (TensorInfo t : header.tensors()) {
            ObjectNode tensor = tensors.addObject().put("name", t.name()).put("type", t.type().name());
            ArrayNode shape = tensor.putArray("shape");
            t.dimensions().forEach(d -> shape.add(Json.unsigned(d)));
            tensor.put("offset", t.offset()).put("bytes", t.byteSize());
        }
        return Json.write(json);
    }

    private static JsonNode value(GgufValue value) {
        return switch (value) {
            case GgufValue.Int i -> i.type() == GgufValueType.UINT64 ? Json.unsigned(i.value()) : Json.NODES.numberNode(i.value());
            case GgufValue.Float f -> f.type() == GgufValueType.FLOAT32 ? Json.number((float) f.value()) : Json.number(f.value());
            case GgufValue.Bool b -> Json.NODES.booleanNode(b.value());
            case GgufValue.Str s -> Json.NODES.textNode(s.value());
            case GgufValue.Array a -> Json.object().put("type", "array")
                    .put("element_type", a.elementType().name().toLowerCase(Locale.ROOT)).put("length", a.elements().size());
        };
    }

    private static void summary(PrintWriter out, GgufHeader header, Path path) {
        out.printf("file          %s%n", path.toAbsolutePath().normalize());
        out.printf("size          %s (%d bytes)%n", Units.bytes(header.fileSize()), header.fileSize());
        out.printf("format        GGUF version %d, alignment %d, tensor data from byte %d%n",
                header.version(), header.alignment(), header.dataOffset());
        out.printf("architecture  %s%n", header.architecture().orElse("(none)"));
        header.string("general.name").ifPresent(name -> out.printf("name          %s%n", shorten(name)));
        Map<GgmlType, Long> types = new TreeMap<>();
        header.tensors().forEach(t -> types.merge(t.type(), 1L, Long::sum));
        out.printf("tensors       %d (%s of data)%s%n", header.tensorCount(), Units.bytes(header.tensorBytes()),
                types.isEmpty() ? "" : ": " + types.entrySet().stream().map(e -> e.getKey() + " × " + e.getValue())
                        .collect(Collectors.joining(", ")));
        out.printf("metadata      %d keys%n", header.kvCount());
        int width = header.metadata().keySet().stream().mapToInt(String::length).max().orElse(0);
        header.metadata().forEach((key, value) -> out.printf("  %-" + width + "s  %s%n", key, shorten(display(value))));
    }

    /** As {@link GgufValue#display()}, but a float32 with the digits it has: 1.0E-5, not 9.999999747378752E-6. */
    private static String display(GgufValue value) {
        if (value instanceof GgufValue.Float(GgufValueType type, double v) && type == GgufValueType.FLOAT32) {
            return Float.toString((float) v);
        }
        return value.display();
    }

    /** One line of at most {@value #SHOWN_CHARS} characters: a chat template is long and full of newlines. */
    private static String shorten(String text) {
        String flat = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return flat.length() <= SHOWN_CHARS ? flat : flat.substring(0, SHOWN_CHARS - 1) + "…";
    }
}
