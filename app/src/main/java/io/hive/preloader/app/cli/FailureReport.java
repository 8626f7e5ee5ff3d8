package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.ConfigException;
import io.hive.preloader.core.gguf.GgufFormatException;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.service.UnknownModelException;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How a failed command is told: one line on stderr, {@code error: …}, and an exit code, 2 for bad input (usage,
 * config, unknown model, a file that is not a valid model), 1 for a failure at run time; a stack trace only with
 * {@code --verbose}. Shared by picocli's handlers ({@link ErrorHandler}) and the command lines run without picocli
 * ({@link Shortcut}), and free of picocli's types so that the latter load none of its classes.
 */
final class FailureReport {
    private FailureReport() {
    }

    /** Reports what a command threw, as {@code args} asked (verbose or not); returns the exit code. */
    static int report(Throwable thrown, PrintWriter err, List<String> args) {
        Throwable failure = unwrap(thrown);
        print(err, messageOf(failure), failure, verbose(args));
        return exitCodeOf(failure);
    }

    static int exitCodeOf(Throwable failure) {
        return switch (failure) {
            case Failure f -> f.exitCode();
            case ConfigException _ -> Failure.BAD_INPUT;
            case UnknownModelException _ -> Failure.BAD_INPUT;
            case GgufFormatException _ -> Failure.BAD_INPUT;
            case InvalidModelException _ -> Failure.BAD_INPUT;
            case IllegalArgumentException _ -> Failure.BAD_INPUT;
            default -> Failure.RUNTIME;
        };
    }

    static String messageOf(Throwable failure) {
        String message = failure.getMessage();
        if (failure instanceof UncheckedIOException io && io.getCause() != null && message == null) {
            message = io.getCause().getMessage();
        }
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        return oneLine(message);
    }

    /** The failure itself, out of the wrappers that futures and reflection put around it. */
    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static void print(PrintWriter err, String message, Throwable failure, boolean verbose) {
        err.println("error: " + message);
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
    }

    /** {@code --verbose} or {@code -v} before any {@code --} (what follows is a worker's command line). */
    static boolean verbose(List<String> args) {
        List<String> ours = args.contains("--") ? args.subList(0, args.indexOf("--")) : args;
        return ours.contains("--verbose") || ours.contains("-v");
    }

    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
