package io.hive.preloader.adapters.http;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium for the page test: installed with apt-get when missing (as root), then run once per
 * look with a fresh profile, no network beyond the loopback server, and a virtual time budget so that the page's
 * scripts run to completion before the DOM is dumped or the screenshot taken.
 */
final class Chromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static Optional<String> unavailable;

    private Chromium() {
    }

    /** Empty when Chromium can run here; otherwise why not, for the skip message. */
    static synchronized Optional<String> ensureInstalled() {
        if (unavailable == null) {
            unavailable = install();
        }
        return unavailable;
    }

    private static Optional<String> install() {
        if (Files.isExecutable(BINARY)) {
            return Optional.empty();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of(BINARY + " is missing and only root can install it: run 'apt-get install -y chromium'");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            return Optional.of(BINARY + " is missing and there is no apt-get to install it with");
        }
        StringBuilder log = new StringBuilder();
        if (!run(log, "apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium")) {
            // The package lists may be stale or absent (a fresh container): fetch them once and try again.
            run(log, "apt-get", "update", "-q");
            if (!run(log, "apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium")) {
                String tail = log.length() > 600 ? log.substring(log.length() - 600) : log.toString();
                return Optional.of("apt-get could not install chromium: " + tail.strip());
            }
        }
        return Files.isExecutable(BINARY) ? Optional.empty() : Optional.of("apt-get installed chromium but " + BINARY + " is not there");
    }

    private static boolean run(StringBuilder log, String... command) {
        try {
            // Output to a file and stdin closed, so that the time limit holds even if the child never ends.
            Path out = Files.createTempFile("apt-get", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            p.getOutputStream().close();
            boolean finished = p.waitFor(15, TimeUnit.MINUTES);
            if (!finished) {
                p.destroyForcibly();
            }
            log.append(Files.readString(out, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            return finished && p.exitValue() == 0;
        } catch (IOException e) {
            log.append(e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The DOM after the page's scripts ran. */
    static String dumpDom(URI page, Path profile) {
        return run(profile, List.of("--dump-dom"), page);
    }

    /** A 1280×900 screenshot of the page after its scripts ran. */
    static void screenshot(URI page, Path png, Path profile) {
        run(profile, List.of("--screenshot=" + png.toAbsolutePath()), page);
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private static String run(Path profile, List<String> what, URI page) {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,900",
                "--virtual-time-budget=5000"));
        command.addAll(what);
        command.add(page.toString());
        try {
            Path err = Files.createTempFile(profile.getParent(), "chromium", ".log");
            Path stdout = Files.createTempFile(profile.getParent(), "chromium", ".out");
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).redirectOutput(stdout.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish within 120 s: " + String.join(" ", command));
            }
            byte[] out = Files.readAllBytes(stdout);
            if (p.exitValue() != 0) {
                throw new AssertionError("chromium exited with " + p.exitValue() + ": " + Files.readString(err));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("running chromium failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
