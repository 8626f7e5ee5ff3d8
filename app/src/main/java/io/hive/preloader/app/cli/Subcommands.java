package io.hive.preloader.app.cli;

import picocli.CommandLine;

import java.util.List;
import java.util.Set;

/**
 * Which subcommands a command line registers. picocli reads a subcommand's annotations, and loads every class its
 * fields and methods name, when the subcommand is registered, which was most of its work at start: so a command line
 * that names a subcommand gets that one alone, and {@code --version} none. Any command line that may show or search
 * the list gets every subcommand, so that help, usage and errors read as they always did: no subcommand, help (an
 * option or the {@code help} command), an option the root does not know, an {@code @file}, or a word that names no
 * subcommand.
 */
final class Subcommands {
    /** Every subcommand, in the order {@code preloader --help} lists them. */
    private static final List<String> NAMES = List.of("preload", "inspect", "status", "evict", "demo", "spawn", "generate", "serve", "help");
    /** The root's options that take a value: the word after them is that value, never a subcommand. */
    static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--config", "--models");
    /** The root's other options that change nothing about which subcommand runs. */
    static final Set<String> ROOT_FLAGS = Set.of("-v", "--verbose");
    static final Set<String> ROOT_VERSION = Set.of("-V", "--version");

    static final Subcommands ALL = new Subcommands(Set.copyOf(NAMES));
    private static final Subcommands NONE = new Subcommands(Set.of());

    private final Set<String> names;

    private Subcommands(Set<String> names) {
        this.names = names;
    }

    /*
     * A switch, not a table of constructor references: JDK 25.0.3 crashes assembling an AOT cache whose archived lambdas
     * name classes the training run never loaded (ArchiveHeapWriter::compute_ptrmap, "Metadata ... should have been
     * archived"), and a command line registers one of these classes at most.
     */
    private static Object command(String name) {
        return switch (name) {
            case "preload" -> new PreloadCommand();
            case "inspect" -> new InspectCommand();
            case "status" -> new StatusCommand();
            case "evict" -> new EvictCommand();
            case "demo" -> new DemoCommand();
            case "spawn" -> new SpawnCommand();
            case "generate" -> new GenerateCommand();
            case "serve" -> new ServeCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /** What {@code args} need: the subcommand they name, none for the version alone, else all. */
    static Subcommands neededBy(String... args) {
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (ROOT_OPTIONS_WITH_VALUE.contains(arg)) {
                i++;
            } else if (ROOT_VERSION.contains(arg)) {
                version = true;
            } else if (ROOT_FLAGS.contains(arg) || arg.startsWith("--config=") || arg.startsWith("--models=")) {
                continue;
            } else if (arg.startsWith("-") || arg.startsWith("@")) {
                return ALL;
            } else {
                return NAMES.contains(arg) && !arg.equals("help") ? new Subcommands(Set.of(arg)) : ALL;
            }
        }
        return version ? NONE : ALL;
    }

    /** Adds these subcommands to the root command line, in the order of {@link #NAMES}. */
    void register(CommandLine root) {
        for (String name : NAMES) {
            if (names.contains(name)) {
                root.addSubcommand(name, command(name));
            }
        }
    }

    /** The names registered, for tests. */
    Set<String> names() {
        return names;
    }
}
