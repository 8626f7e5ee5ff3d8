package io.hive.preloader.app.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which subcommands a command line registers, and that the ones it leaves out change nothing it prints. */
class SubcommandsTest {
    private static final Set<String> EVERY = Set.of("preload", "inspect", "status", "evict", "demo", "spawn", "generate", "serve", "help");

    @Test
    void shouldRegisterOnlyTheSubcommandNamed() {
        assertThat(Subcommands.neededBy("status").names()).containsExactly("status");
        assertThat(Subcommands.neededBy("--config", "status", "preload", "x").names()).as("a value that looks like a subcommand")
                .containsExactly("preload");
        assertThat(Subcommands.neededBy("--models=/srv/models", "-v", "inspect", "--json", "f.gguf").names()).containsExactly("inspect");
        assertThat(Subcommands.neededBy("serve", "--help").names()).containsExactly("serve");
    }

    @Test
    void shouldRegisterNoneForTheVersionAlone() {
        assertThat(Subcommands.neededBy("--version").names()).isEmpty();
        assertThat(Subcommands.neededBy("-V", "--config", "c.yaml").names()).isEmpty();
    }

    @Test
    void shouldRegisterEverySubcommandWhereTheListMayBeShown() {
        for (List<String> args : List.of(List.<String>of(), List.of("--help"), List.of("-h", "status"), List.of("help", "status"),
                List.of("stat"), List.of("--no-such-option", "status"), List.of("@args.txt"), List.of("--config"), List.of("-vh", "status"))) {
            assertThat(Subcommands.neededBy(args.toArray(String[]::new)).names()).as(args.toString()).isEqualTo(EVERY);
        }
    }

    @Test
    void shouldKnowEveryOptionOfTheRoot() {
        Set<String> known = new HashSet<>();
        known.addAll(Subcommands.ROOT_OPTIONS_WITH_VALUE);
        known.addAll(Subcommands.ROOT_FLAGS);
        known.addAll(Subcommands.ROOT_VERSION);
        for (OptionSpec option : PreloaderCommand.commandLine().getCommandSpec().options()) {
            boolean takesValue = option.arity().max() > 0;
            for (String name : option.names()) {
                if (takesValue) {
                    assertThat(Subcommands.ROOT_OPTIONS_WITH_VALUE).as("the root's option %s takes a value", name).contains(name);
                } else if (!option.usageHelp()) {
                    assertThat(known).as("the root's option %s", name).contains(name);
                }
            }
        }
    }

    @Test
    void shouldPrintTheHelpOfEveryCommandAsWithEverySubcommand() {
        CommandLine full = PreloaderCommand.commandLine();
        assertThat(full.getSubcommands().keySet()).isEqualTo(EVERY);
        assertThat(Cli.run("--help").out()).isEqualTo(usage(full));
        for (String name : EVERY) {
            if (!name.equals("help")) {
                Cli.Result help = Cli.run(name, "--help");
                assertThat(help.exitCode()).isZero();
                assertThat(help.out()).as(name).isEqualTo(usage(full.getSubcommands().get(name)));
            }
        }
        assertThat(Cli.run("help", "status").out()).isEqualTo(usage(full.getSubcommands().get("status")));
    }

    @Test
    void shouldWordAnUnknownSubcommandAsWithEverySubcommand() {
        Cli.Result typo = Cli.run("stat");

        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).isEqualTo("error: Unmatched argument at index 0: 'stat' (see 'preloader --help')" + System.lineSeparator());
    }

    @Test
    void shouldPrintTheVersionWithNoSubcommand() {
        Cli.Result version = Cli.run("--version");

        assertThat(version.exitCode()).isZero();
        assertThat(version.out().strip()).isEqualTo(ReleaseVersion.line()).startsWith("preloader ");
    }

    private static String usage(CommandLine cmd) {
        StringWriter text = new StringWriter();
        cmd.usage(new PrintWriter(text, true));
        return text.toString();
    }
}
