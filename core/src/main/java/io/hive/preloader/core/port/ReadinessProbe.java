package io.hive.preloader.core.port;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a started worker tells that it is ready: a line it prints, a TCP port it opens on the loopback address, or
 * its exit. The time to ready is measured from the start of the process to the moment the probe fires.
 */
public sealed interface ReadinessProbe {

    /** Ready when a line of the worker's output (stdout or stderr) contains a match of the pattern, as grep finds one. */
    record Line(Pattern pattern) implements ReadinessProbe {
        public Line {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public String describe() {
            return "a line matching /" + pattern.pattern() + "/";
        }
    }

    /**
     * Ready when a TCP connection to {@code 127.0.0.1:port} succeeds. A port already open before the worker starts
     * is refused: the probe could not tell the worker's own listener from another process's.
     */
    record Port(int port) implements ReadinessProbe {
        public Port {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not a TCP port (1-65535)");
            }
        }

        @Override
        public String describe() {
            return "port " + port + " open on 127.0.0.1";
        }
    }

    /** Ready when the worker exits with status 0: for a worker that runs one job (a check, a benchmark) to its end. */
    record Exit() implements ReadinessProbe {
        @Override
        public String describe() {
            return "exit with status 0";
        }
    }

    /**
     * @throws IllegalArgumentException when the expression is not a valid {@link Pattern}
     */
    static ReadinessProbe line(String regex) {
        return new Line(Pattern.compile(regex));
    }

    static ReadinessProbe port(int port) {
        return new Port(port);
    }

    static ReadinessProbe exit() {
        return new Exit();
    }

    /** What the probe waits for, for messages: {@code a line matching /ready/}. */
    String describe();
}
