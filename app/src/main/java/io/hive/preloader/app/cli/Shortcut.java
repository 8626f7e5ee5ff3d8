package io.hive.preloader.app.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command lines an operator runs most, {@code status} and {@code preload} of named models, run without picocli:
 * picocli 4.7 is Java 5 bytecode, which the JVM's start-up cache does not hold, and building its command line took a
 * third of {@code status}'s time. Only lines whose meaning is beyond doubt are taken, and then run exactly as picocli
 * would run them (the same fields set, the same streams, the same error report); anything else (help, an option they
 * do not know, a value that looks like an option, an option given twice, an {@code @file}, {@code --}) is left to
 * picocli, which words every usage error.
 *
 * <p>The grammar taken: root options ({@code --config FILE}, {@code --models DIR}…, {@code -v}), all before the
 * subcommand or all after it (picocli's inherited options behave oddly when split), then {@code status}, or
 * {@code preload [--no-progress] ID|FILE…} with at least one model.
 */
final class Shortcut {
    private final Subcommand command;
    private final List<String> args;

    /** As picocli's parse leaves them: {@code command}'s root set, its options and the root's as the line gives them. */
    private Shortcut(PreloaderCommand root, Subcommand command, List<String> args) {
        command.root = root;
        this.command = command;
        this.args = args;
    }

    /** The shortcut for {@code args}, or empty where picocli must read them. */
    static Optional<Shortcut> of(String... args) {
        return new Reader(List.of(args)).read();
    }

    /** Runs the command as picocli's {@code execute} would; returns its exit code. */
    int run(PrintWriter out, PrintWriter err) {
        command.printTo(out, err);
        try {
            return command.call();
        } catch (Exception e) {
            return FailureReport.report(e, err, args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The subcommand it runs, for tests. */
    Subcommand command() {
        return command;
    }

    /** A writer on {@code stream} as picocli makes its own: buffered, flushed at each line, in the charset it picks. */
    static PrintWriter writer(OutputStream stream, String charsetProperty) {
        String name = System.getProperty(charsetProperty);
        Charset charset = name == null ? Charset.defaultCharset() : Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }

    /** picocli's stdout and stderr: {@code sun.stdout.encoding} and {@code sun.stderr.encoding}, else the default charset. */
    static PrintWriter stdout() {
        return writer(System.out, "sun.stdout.encoding");
    }

    static PrintWriter stderr() {
        return writer(System.err, "sun.stderr.encoding");
    }

    /** One pass over the words; every method returns false (or empty) at the first word it does not take for certain. */
    private static final class Reader {
        private final List<String> args;
        private final PreloaderCommand root = new PreloaderCommand();
        private int next;
        private boolean configSeen;
        private boolean verboseSeen;

        Reader(List<String> args) {
            this.args = args;
        }

        Optional<Shortcut> read() {
            boolean before = rootOptions();
            if (next >= args.size()) {
                return Optional.empty();
            }
            Optional<Subcommand> command = switch (args.get(next++)) {
                case "status" -> Optional.of(new StatusCommand());
                case "preload" -> preload(before);
                default -> Optional.empty();
            };
            if (command.isEmpty() || command.get() instanceof StatusCommand && !rest(before)) {
                return Optional.empty();
            }
            return Optional.of(new Shortcut(root, command.get(), args));
        }

        /** Root options up to the subcommand; true when there was at least one (then none may follow it). */
        private boolean rootOptions() {
            int start = next;
            while (next < args.size() && rootOption()) {
                next++;
            }
            return next > start;
        }

        /** Nothing after the subcommand but root options, and those only where none came before it. */
        private boolean rest(boolean before) {
            if (next == args.size()) {
                return true;
            }
            if (before) {
                return false;
            }
            rootOptions();
            return next == args.size();
        }

        private Optional<Subcommand> preload(boolean before) {
            PreloadCommand preload = new PreloadCommand();
            boolean noProgress = false;
            for (; next < args.size(); next++) {
                String word = args.get(next);
                if (word.equals("--no-progress") && !noProgress) {
                    noProgress = true;
                } else if (plain(word)) {
                    preload.models.add(word);
                } else if (before || !rootOption()) { // root options after the subcommand only where none came before it
                    return Optional.empty();
                }
            }
            if (preload.models.isEmpty()) {
                return Optional.empty();
            }
            preload.noProgress = noProgress;
            return Optional.of(preload);
        }

        /** Takes the root option at {@link #next} (and its value); false, having set nothing, where it is not one for certain. */
        private boolean rootOption() {
            String word = args.get(next);
            if (word.equals("-v") || word.equals("--verbose")) {
                if (verboseSeen) {
                    return false; // picocli refuses a flag given twice before the subcommand, and toggles it across it
                }
                verboseSeen = root.verbose = true;
                return true;
            }
            for (String option : List.of("--config", "--models")) {
                Optional<String> value = word.equals(option) ? valueAfter() : word.startsWith(option + "=")
                        ? Optional.of(word.substring(option.length() + 1)) : null;
                if (value == null) {
                    continue;
                }
                Optional<Path> path = value.filter(Reader::plain).flatMap(Reader::path);
                if (path.isEmpty() || option.equals("--config") && configSeen) {
                    return false;
                }
                if (option.equals("--config")) {
                    configSeen = true;
                    root.configFile = path.get();
                } else {
                    if (root.models == null) {
                        root.models = new ArrayList<>();
                    }
                    root.models.add(path.get());
                }
                if (word.equals(option)) {
                    next++; // the value
                }
                return true;
            }
            return false;
        }

        private Optional<String> valueAfter() {
            return next + 1 < args.size() ? Optional.of(args.get(next + 1)) : Optional.empty();
        }

        /**
         * A word picocli takes as a plain argument, or as an option's value as given: no option, no {@code @file}, not
         * empty ({@code --config=} and values that look like options are left to it).
         */
        private static boolean plain(String word) {
            return !word.isEmpty() && !word.startsWith("-") && !word.startsWith("@");
        }

        private static Optional<Path> path(String value) {
            try {
                return Optional.of(Path.of(value));
            } catch (InvalidPathException e) {
                return Optional.empty(); // picocli words the error
            }
        }
    }
}
