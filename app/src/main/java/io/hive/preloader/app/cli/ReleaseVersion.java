package io.hive.preloader.app.cli;

/** The line {@code preloader --version} prints, from the jar's manifest; a class of its own, so that reading it loads no picocli. */
public final class ReleaseVersion {
    private static final String UNRELEASED = "0.1.0-SNAPSHOT";

    private ReleaseVersion() {
    }

    public static String line() {
        String version = ReleaseVersion.class.getPackage().getImplementationVersion();
        return "preloader " + (version == null ? UNRELEASED : version);
    }
}
