package io.hive.preloader.app.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * What every subcommand has: the root command (global options, the config) and the streams it prints to: picocli's,
 * or those a {@link Shortcut} gives it when the command line ran without picocli.
 */
abstract class Subcommand implements Callable<Integer> {
    @ParentCommand
    PreloaderCommand root;

    @Spec
    CommandSpec spec;

    /** Set only by a {@link Shortcut}, which leaves {@link #spec} unset. */
    private PrintWriter out;
    private PrintWriter err;

    PrintWriter out() {
        return out != null ? out : spec.commandLine().getOut();
    }

    PrintWriter err() {
        return err != null ? err : spec.commandLine().getErr();
    }

    /** Prints to these streams instead of picocli's. */
    void printTo(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }
}
