package io.hive.preloader.adapters.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the HTTP server listens, whom it lets read and whom change state.
 *
 * @param host            the address to bind; {@value #DEFAULT_HOST} unless an operator chooses to expose the API
 * @param port            the TCP port; 0 picks a free one (the server reports the one it got)
 * @param token           the bearer token that state-changing calls must carry; without one they are all refused
 * @param maxBodyBytes    the largest request body accepted; larger ones get 413 before they are read
 * @param shutdownTimeout how long closing waits for in-flight requests (transfers) before it cancels them
 * @param defaultDevice   the device a transfer goes to when the request names none
 * @param exposure        what is shown without the admin token, to which names the server answers, and TLS
 */
public record HttpSettings(String host, int port, Optional<String> token, long maxBodyBytes, Duration shutdownTimeout,
                           int defaultDevice, Exposure exposure) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7780;
    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final long MAX_BODY_LIMIT = 16L << 20;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Shorter tokens are refused: a bearer token is the only thing between the network and an eviction. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /**
     * What the server shows without the admin token and how clients reach it.
     *
     * @param readToken     a second bearer token that may read the API (not change it, nor see IPC handles, worker
     *                      commands or their output): for a dashboard or a scraper
     * @param metricsPublic whether {@code /metrics} answers without a token (as Prometheus expects by default)
     * @param allowedHosts  names besides {@code localhost} and IP literals that a request's {@code Host} may carry
     * @param tls           the key and certificate to serve HTTPS with; plain HTTP without
     */
    public record Exposure(Optional<String> readToken, boolean metricsPublic, List<String> allowedHosts, Optional<Tls> tls) {
        public Exposure {
            Objects.requireNonNull(readToken, "readToken");
            Objects.requireNonNull(tls, "tls");
            allowedHosts = List.copyOf(allowedHosts);
            readToken.ifPresent(t -> checkToken("the http read token", t));
            allowedHosts.forEach(AllowedHosts::checkName);
        }

        /** No read token, public metrics, no other names, plain HTTP. */
        public static Exposure defaults() {
            return new Exposure(Optional.empty(), true, List.of(), Optional.empty());
        }

        public Exposure withReadToken(String newToken) {
            return new Exposure(Optional.of(newToken), metricsPublic, allowedHosts, tls);
        }

        public Exposure withMetricsPublic(boolean open) {
            return new Exposure(readToken, open, allowedHosts, tls);
        }

        public Exposure withAllowedHosts(List<String> names) {
            return new Exposure(readToken, metricsPublic, names, tls);
        }

        public Exposure withTls(Tls newTls) {
            return new Exposure(readToken, metricsPublic, allowedHosts, Optional.of(newTls));
        }

        /** Never prints the read token. */
        @Override
        public String toString() {
            return "Exposure[readToken=" + (readToken.isPresent() ? "<hidden>" : "none") + ", metricsPublic=" + metricsPublic
                    + ", allowedHosts=" + allowedHosts + ", tls=" + tls.map(Object::toString).orElse("none") + "]";
        }
    }

    /** Settings with the default {@link Exposure}. */
    public HttpSettings(String host, int port, Optional<String> token, long maxBodyBytes, Duration shutdownTimeout, int defaultDevice) {
        this(host, port, token, maxBodyBytes, shutdownTimeout, defaultDevice, Exposure.defaults());
    }

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(exposure, "exposure");
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
        if (token.isPresent() && token.equals(exposure.readToken())) {
            throw new IllegalArgumentException("the http read token is the admin token: give the read token a value of its own");
        }
    }

    /**
     * Loopback on {@value #DEFAULT_PORT}, no token (only health, metrics and the page's shell answer), 64 KiB bodies,
     * 30 s to shut down, device 0.
     */
    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_MAX_BODY_BYTES, DEFAULT_SHUTDOWN_TIMEOUT, 0);
    }

    public HttpSettings withHost(String newHost) {
        return new HttpSettings(newHost, port, token, maxBodyBytes, shutdownTimeout, defaultDevice, exposure);
    }

    public HttpSettings withPort(int newPort) {
        return new HttpSettings(host, newPort, token, maxBodyBytes, shutdownTimeout, defaultDevice, exposure);
    }

    public HttpSettings withToken(String newToken) {
        return new HttpSettings(host, port, Optional.of(newToken), maxBodyBytes, shutdownTimeout, defaultDevice, exposure);
    }

    public HttpSettings withMaxBodyBytes(long newMax) {
        return new HttpSettings(host, port, token, newMax, shutdownTimeout, defaultDevice, exposure);
    }

    public HttpSettings withShutdownTimeout(Duration newTimeout) {
        return new HttpSettings(host, port, token, maxBodyBytes, newTimeout, defaultDevice, exposure);
    }

    public HttpSettings withDefaultDevice(int device) {
        return new HttpSettings(host, port, token, maxBodyBytes, shutdownTimeout, device, exposure);
    }

    public HttpSettings withExposure(Exposure newExposure) {
        return new HttpSettings(host, port, token, maxBodyBytes, shutdownTimeout, defaultDevice, newExposure);
    }

    /** Whether the address to bind is a loopback one (a name is resolved: it is the operator's, not a client's). */
    public boolean loopback() {
        try {
            return java.net.InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** @throws IllegalArgumentException naming what is wrong with a token, never the token itself */
    public static void checkToken(String token) {
        checkToken("the http token", token);
    }

    static void checkToken(String what, String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException(what + " is too short (" + token.length() + " characters): use at least "
                    + MIN_TOKEN_LENGTH + ", e.g. the output of 'openssl rand -hex 32'");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(what + " must be printable ASCII without spaces");
        }
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "HttpSettings[host=" + host + ", port=" + port + ", token=" + (token.isPresent() ? "<hidden>" : "none")
                + ", maxBodyBytes=" + maxBodyBytes + ", shutdownTimeout=" + shutdownTimeout + ", defaultDevice=" + defaultDevice + ", exposure=" + exposure + "]";
    }
}
