package io.hive.preloader.adapters.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed token attempts per client address, each a token bucket: {@value #BURST} at once, then {@value #PER_SECOND} a
 * second; past that the client is told to wait (429 with {@code Retry-After}) until its bucket holds a token again.
 * Only failures are counted, so a request with a valid token is never limited. IPv6 clients are counted by their /64
 * (one host can hold all of it); the addresses followed are bounded, idle ones dropped first, and when a flood of
 * addresses exceeds the bound the newcomers share one bucket. Each burst is logged once, when it starts being refused.
 */
final class FailedAttempts {
    static final int BURST = 10;
    static final int PER_SECOND = 10;
    static final int MAX_CLIENTS = 4096;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / PER_SECOND;
    private static final String OVERFLOW = "(any other address)";
    private static final System.Logger LOG = System.getLogger(FailedAttempts.class.getName());

    private final LongSupplier nanoTime;
    private final Map<String, Bucket> clients = new ConcurrentHashMap<>();

    FailedAttempts() {
        this(System::nanoTime);
    }

    FailedAttempts(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Counts one failed attempt from {@code address}.
     *
     * @return empty while the client is within its allowance; else how long it must wait before the next attempt counts
     */
    Optional<Duration> failed(String address) {
        long now = nanoTime.getAsLong();
        String client = clientOf(address);
        if (clients.size() >= MAX_CLIENTS && !clients.containsKey(client)) {
            clients.values().removeIf(b -> b.idle(now));
            if (clients.size() >= MAX_CLIENTS) {
                client = OVERFLOW;
            }
        }
        Bucket bucket = clients.computeIfAbsent(client, c -> new Bucket(now));
        long wait = bucket.take(now);
        if (wait == 0) {
            return Optional.empty();
        }
        if (bucket.startsRefusing()) {
            LOG.log(System.Logger.Level.WARNING, "more than {0} failed token attempts from {1} within a second: answering 429 until they slow down",
                    BURST, client);
        }
        return Optional.of(Duration.ofNanos(wait));
    }

    /** The address a bucket is kept for: an IPv4 address as it is, an IPv6 address by its /64. */
    static String clientOf(String address) {
        try {
            String literal = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
            InetAddress ip = InetAddress.ofLiteral(literal);
            if (ip instanceof Inet6Address) {
                return HexFormat.ofDelimiter(":").formatHex(Arrays.copyOf(ip.getAddress(), 8)) + "::/64";
            }
            return ip.getHostAddress();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    /** One client's allowance. Its monitor guards its three fields only, for a few arithmetic steps; nothing slow runs under it. */
    private static final class Bucket {
        private long tokensAt;
        private double tokens = BURST;
        private boolean refusing;
        private boolean logged;

        Bucket(long now) {
            tokensAt = now;
        }

        /** Takes one token: 0 when there was one, else the nanoseconds until there is. */
        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                refusing = false;
                return 0;
            }
            refusing = true;
            return Math.max(1, (long) ((1 - tokens) * NANOS_PER_TOKEN));
        }

        /** True once per burst: the first refusal since the bucket was last full. */
        synchronized boolean startsRefusing() {
            if (refusing && !logged) {
                logged = true;
                return true;
            }
            return false;
        }

        synchronized boolean idle(long now) {
            refill(now);
            return tokens >= BURST;
        }

        private void refill(long now) {
            tokens = Math.min(BURST, tokens + (double) (now - tokensAt) / NANOS_PER_TOKEN);
            tokensAt = now;
            if (tokens >= BURST) {
                logged = false;
            }
        }
    }
}
