package io.hive.preloader.app.cli;

import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads a command's {@code ID|FILE} arguments: a model id, or the path of a {@code .gguf} file (whose id is its name). */
final class ModelArgs {
    private static final String EXTENSION = ".gguf";

    private ModelArgs() {
    }

    /** One argument: the id it names, and the file when it was given as a path (its real path, symlinks resolved). */
    record Target(String argument, ModelId id, Optional<Path> file) {
    }

    static List<Target> parse(Collection<String> arguments) {
        return arguments.stream().map(ModelArgs::parse).toList();
    }

    /** A path when the argument has a separator or ends in {@code .gguf}; an id otherwise. */
    static Target parse(String argument) {
        if (argument.contains("/") || argument.endsWith(EXTENSION)) {
            return file(argument);
        }
        try {
            return new Target(argument, ModelId.of(argument), Optional.empty());
        } catch (IllegalArgumentException e) {
            throw Failure.badInput(argument + ": " + e.getMessage());
        }
    }

    private static Target file(String argument) {
        Path path = Path.of(argument);
        if (!Files.exists(path)) {
            throw Failure.badInput(argument + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            throw Failure.badInput(argument + ": not a regular file");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw Failure.badInput(argument + ": cannot be resolved: " + e.getMessage());
        }
        String name = real.getFileName().toString();
        if (!name.endsWith(EXTENSION)) {
            throw Failure.badInput(argument + ": not a " + EXTENSION + " file");
        }
        try {
            return new Target(argument, ModelId.of(name.substring(0, name.length() - EXTENSION.length())), Optional.of(real));
        } catch (IllegalArgumentException e) {
            throw Failure.badInput(argument + ": the file name is not a model id: " + e.getMessage());
        }
    }

    /**
     * A refusal of a target's file as {@code inspect} words it for the same argument: the file as the user typed it when
     * the target was a path, else the model's real path.
     */
    static RuntimeException refusal(Target target, InvalidModelException refused) {
        return target.file().isPresent() ? Failure.badInput(refused.messageFor(target.argument()), refused) : refused;
    }

    /** The catalog's entry for a target, or a one-line error naming the argument and what models there are. */
    static ModelDescriptor find(Target target, List<ModelDescriptor> catalog, Collection<Path> folders) {
        return catalog.stream().filter(m -> m.id().equals(target.id())).findFirst().orElseThrow(() -> unknown(target, catalog, folders));
    }

    /**
     * The source's model for a target, as {@link #find(Target, List, Collection)} would find it in the source's list,
     * but looked up by its id: the folders are listed only for the error, when there is no such model. A model the
     * source knows but cannot serve is refused with why.
     */
    static ModelDescriptor find(Target target, ModelSource source, Collection<Path> folders) {
        return source.find(target.id()).orElseThrow(() -> source.unservable(target.id())
                .<RuntimeException>map(u -> refusal(target, u.refusal()))
                .orElseGet(() -> unknown(target, source.list(), folders)));
    }

    private static Failure unknown(Target target, List<ModelDescriptor> catalog, Collection<Path> folders) {
        String known = catalog.isEmpty() ? "there are none"
                : catalog.size() + " models there: " + catalog.stream().limit(8).map(m -> m.id().value()).collect(Collectors.joining(", "))
                        + (catalog.size() > 8 ? ", ..." : "");
        return Failure.badInput(target.argument() + ": no such model in " + folders.stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + " (" + known + ")");
    }
}
