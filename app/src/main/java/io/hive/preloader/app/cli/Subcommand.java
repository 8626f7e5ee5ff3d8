package io.hive.preloader.app.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** What every subcommand has: the root command (global options, the config) and the streams it prints to. */
abstract class Subcommand implements Callable<Integer> {
    @ParentCommand
    PreloaderCommand root;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
