package io.hive.preloader.app;

import io.hive.preloader.app.cli.PreloaderCommand;
import io.hive.preloader.app.cli.ReleaseVersion;

import java.util.List;
import java.util.Set;

/** The {@code preloader} command line; the launcher {@code ./preloader} runs it with the JVM flags it needs. */
public final class Main {
    /** Commands that print their own report of what happened: core's info lines (each eviction) would repeat it. */
    private static final Set<String> REPORTING = Set.of("preload", "inspect", "status", "evict", "demo", "spawn", "generate");
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.log.io.hive.preloader";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // What picocli would print, without the command line it builds (most of this command's time) and without
            // System.exit, whose logging of the exit loads every jar's services: nothing else runs, so the JVM ends with 0.
            System.out.println(ReleaseVersion.line());
            System.out.flush();
            return;
        }
        configureLogging(List.of(args));
        System.exit(PreloaderCommand.execute(args));
    }

    /** Sets slf4j-simple's levels, which it reads when each logger is made: before any of ours is. */
    private static void configureLogging(List<String> all) {
        // What follows "--" is a worker's command line (spawn), not ours.
        List<String> args = all.contains("--") ? all.subList(0, all.indexOf("--")) : all;
        if (args.contains("--verbose") || args.contains("-v")) {
            System.setProperty(LOG_LEVEL, "debug");
        } else if (args.stream().filter(a -> REPORTING.contains(a) || a.equals("serve")).findFirst().filter(REPORTING::contains).isPresent()) {
            System.setProperty(LOG_LEVEL + ".core", "warn");
        }
    }
}
