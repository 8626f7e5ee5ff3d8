package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.ConfigException;
import io.hive.preloader.core.gguf.GgufFormatException;
import io.hive.preloader.core.service.UnknownModelException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns every failure into one line on stderr, {@code error: …}, and an exit code: 2 for bad input (usage, config,
 * unknown model, invalid file), 1 for a failure at run time. A stack trace only with {@code --verbose}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        report(cmd.getErr(), oneLine(e.getMessage()) + " (see '" + help + "')", e, verbose(args));
        return Failure.BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        Throwable failure = unwrap(e);
        boolean verbose = verbose(parsed.originalArgs().toArray(String[]::new));
        report(cmd.getErr(), messageOf(failure), failure, verbose);
        return exitCodeOf(failure);
    }

    static int exitCodeOf(Throwable failure) {
        return switch (failure) {
            case Failure f -> f.exitCode();
            case ConfigException _ -> Failure.BAD_INPUT;
            case UnknownModelException _ -> Failure.BAD_INPUT;
            case GgufFormatException _ -> Failure.BAD_INPUT;
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

    private static void report(PrintWriter err, String message, Throwable failure, boolean verbose) {
        err.println("error: " + message);
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
    }

    /** {@code --verbose} or {@code -v} before any {@code --} (what follows is a worker's command line). */
    private static boolean verbose(String[] args) {
        List<String> all = List.of(args);
        List<String> ours = all.contains("--") ? all.subList(0, all.indexOf("--")) : all;
        return ours.contains("--verbose") || ours.contains("-v");
    }

    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
