package io.hive.preloader.adapters.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the HTTP server listens and whom it lets change state.
 *
 * @param host            the address to bind; {@value #DEFAULT_HOST} unless an operator chooses to expose the API
 * @param port            the TCP port; 0 picks a free one (the server reports the one it got)
 * @param token           the bearer token that state-changing calls must carry; without one they are all refused
 * @param maxBodyBytes    the largest request body accepted; larger ones get 413 before they are read
 * @param shutdownTimeout how long closing waits for in-flight requests (transfers) before it cancels them
 * @param defaultDevice   the device a transfer goes to when the request names none
 */
public record HttpSettings(String host, int port, Optional<String> token, long maxBodyBytes, Duration shutdownTimeout,
                           int defaultDevice) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7780;
    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final long MAX_BODY_LIMIT = 16L << 20;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Shorter tokens are refused: a bearer token is the only thing between the network and an eviction. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (host.isBlank()) {
            throw new IllegalArgumentException("http host is empty: use an address such as 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http port " + port + " is not a TCP port (0 to 65535; 0 picks a free one)");
        }
        token.ifPresent(HttpSettings::checkToken);
        if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("http max body " + maxBodyBytes + " bytes is out of range (1 byte to 16 MiB)");
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("http shutdown timeout is negative: " + shutdownTimeout);
        }
        if (defaultDevice < 0) {
            throw new IllegalArgumentException("device " + defaultDevice + " does not exist: devices are numbered from 0");
        }
    }

    /** Loopback on {@value #DEFAULT_PORT}, no token (read-only), 64 KiB bodies, 30 s to shut down, device 0. */
    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_MAX_BODY_BYTES, DEFAULT_SHUTDOWN_TIMEOUT, 0);
    }

    public HttpSettings withHost(String newHost) {
        return new HttpSettings(newHost, port, token, maxBodyBytes, shutdownTimeout, defaultDevice);
    }

    public HttpSettings withPort(int newPort) {
        return new HttpSettings(host, newPort, token, maxBodyBytes, shutdownTimeout, defaultDevice);
    }

    public HttpSettings withToken(String newToken) {
        return new HttpSettings(host, port, Optional.of(newToken), maxBodyBytes, shutdownTimeout, defaultDevice);
    }

    public HttpSettings withMaxBodyBytes(long newMax) {
        return new HttpSettings(host, port, token, newMax, shutdownTimeout, defaultDevice);
    }

    public HttpSettings withShutdownTimeout(Duration newTimeout) {
        return new HttpSettings(host, port, token, maxBodyBytes, newTimeout, defaultDevice);
    }

    public HttpSettings withDefaultDevice(int device) {
        return new HttpSettings(host, port, token, maxBodyBytes, shutdownTimeout, device);
    }

    /** @throws IllegalArgumentException naming what is wrong with a token, never the token itself */
    public static void checkToken(String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the http token is too short (" + token.length() + " characters): use at least "
                    + MIN_TOKEN_LENGTH + ", e.g. the output of 'openssl rand -hex 32'");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("the http token must be printable ASCII without spaces");
        }
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "HttpSettings[host=" + host + ", port=" + port + ", token=" + (token.isPresent() ? "<hidden>" : "none")
                + ", maxBodyBytes=" + maxBodyBytes + ", shutdownTimeout=" + shutdownTimeout + ", defaultDevice=" + defaultDevice + "]";
    }
}
