package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.ConfigLoader;
import io.hive.preloader.app.config.PreloaderConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The {@code preloader} command: global options, and the config every subcommand reads through {@link #config()}.
 * Its subcommands are registered by {@link Subcommands}, only those the command line needs.
 */
@Command(name = "preloader", mixinStandardHelpOptions = true, versionProvider = PreloaderCommand.Version.class,
        description = "Keeps GGUF models resident in RAM under a byte budget and moves them to a device.")
public final class PreloaderCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "YAML config file (models, aliases, store, policy, budget, ...); without it, the defaults")
    Path configFile;

    @Option(names = "--models", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "models folder (repeatable); replaces the config's models")
    List<Path> models;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "print stack traces with errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The command line with every subcommand: one-line errors, exit codes 0, 1 and 2. */
    public static CommandLine commandLine() {
        return commandLine(Subcommands.ALL);
    }

    /**
     * The command line as {@code main} runs {@code args}: with only the subcommands they need (picocli reads each
     * subcommand's annotations, and the classes they name, when it is registered), otherwise as {@link #commandLine()}.
     */
    public static CommandLine commandLine(String... args) {
        return commandLine(Subcommands.neededBy(args));
    }

    /**
     * Runs a command line as {@code main} does, on stdout and stderr: through a {@link Shortcut} where it takes the
     * line (no picocli loaded), else through picocli. Returns the exit code.
     */
    public static int execute(String... args) {
        Optional<Shortcut> shortcut = Shortcut.of(args);
        return shortcut.isPresent() ? shortcut.get().run(Shortcut.stdout(), Shortcut.stderr()) : commandLine(args).execute(args);
    }

    /** The same, printing to {@code out} and {@code err} (the start-up cache's training, tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Optional<Shortcut> shortcut = Shortcut.of(args);
        if (shortcut.isPresent()) {
            return shortcut.get().run(out, err);
        }
        CommandLine cmd = commandLine(args);
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    private static CommandLine commandLine(Subcommands subcommands) {
        CommandLine cmd = new CommandLine(new PreloaderCommand());
        subcommands.register(cmd);
        ErrorHandler errors = new ErrorHandler();
        cmd.setExecutionExceptionHandler(errors);
        cmd.setParameterExceptionHandler(errors);
        return cmd;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Failure.BAD_INPUT;
    }

    /** The config file's settings (or the defaults), with {@code --models} applied. */
    PreloaderConfig config() {
        PreloaderConfig config = configFile == null ? PreloaderConfig.defaults() : ConfigLoader.load(configFile);
        if (models != null && !models.isEmpty()) {
            config = config.withModels(models);
        }
        return config;
    }

    /** Whether the user named the models: a config file or {@code --models}; otherwise {@code ./models} is a guess. */
    boolean modelsGiven() {
        return configFile != null || models != null && !models.isEmpty();
    }

    /** The config, its models folders checked to exist, so that a missing one is named in one clear line. */
    PreloaderConfig checkedConfig() {
        PreloaderConfig config = config();
        requireFolders(config.models());
        return config;
    }

    /**
     * The config for commands given model files as well as ids: each file's folder comes first, so that its id finds
     * it. The access journal stays where the config puts it. The default {@code ./models} is dropped when it does not
     * exist and files were given.
     */
    PreloaderConfig configFor(List<ModelArgs.Target> targets) {
        PreloaderConfig config = config();
        Set<Path> folders = new LinkedHashSet<>();
        targets.forEach(t -> t.file().ifPresent(f -> folders.add(f.getParent())));
        if (folders.isEmpty()) {
            requireFolders(config.models());
            return config;
        }
        List<Path> configured = new ArrayList<>(config.models());
        if (!modelsGiven()) {
            configured.removeIf(f -> !Files.isDirectory(f));
        }
        requireFolders(configured);
        Optional<Path> journal = config.withModels(configured).journalFile();
        folders.addAll(configured);
        return config.withModels(List.copyOf(folders)).withJournal(journal);
    }

    private void requireFolders(List<Path> folders) {
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                String hint = modelsGiven() ? "" : "; pass --models DIR or --config FILE";
                throw Failure.badInput("models folder " + folder + (Files.exists(folder) ? " is not a directory" : " does not exist") + hint);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {ReleaseVersion.line()};
        }
    }
}
