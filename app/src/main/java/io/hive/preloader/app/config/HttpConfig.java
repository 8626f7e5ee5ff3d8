package io.hive.preloader.app.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.soabase.recordbuilder.core.RecordBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY;
import static java.util.Objects.requireNonNullElse;

/**
 * How {@code serve} listens (the {@code http:} section), and whom it answers.
 *
 * @param host            the address to bind: loopback unless the API is meant to be reached from elsewhere
 * @param port            the TCP port; 0 picks a free one
 * @param token           the admin token: it reads and changes everything ({@code PRELOADER_TOKEN} overrides it);
 *                        without one changes are refused. Never echoed, in errors or {@link #toString()}
 * @param readToken       a second token that reads the API but changes nothing, and is shown no IPC handle, worker
 *                        command or output (for a dashboard or a scraper). Never echoed either
 * @param maxBody         the largest request body accepted, in bytes
 * @param shutdownTimeout how long a shutdown waits for in-flight transfers before it cancels them
 * @param metricsPublic   whether {@code /metrics} answers without a token (true, as Prometheus scrapes by default)
 * @param allowedHosts    names a client may call the server by besides {@code localhost} and IP literals (a
 *                        Kubernetes Service's, say): any other name in {@code Host} is refused (DNS rebinding)
 * @param tls             HTTPS with these files; plain HTTP without
 */
@RecordBuilder
public record HttpConfig(
        @Allowed("an address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)") String host,
        @Allowed("a TCP port (0 to 65535; 0 picks a free one)") Integer port,
        @JsonDeserialize(contentUsing = ConfigValues.Secret.class) Optional<String> token,
        @JsonDeserialize(contentUsing = ConfigValues.Secret.class) Optional<String> readToken,
        @Allowed("a size from 1 byte to 16MiB, like 64KiB") @JsonDeserialize(using = ConfigValues.Size.class) Long maxBody,
        @Allowed("a number of seconds from 0 to 3600") Duration shutdownTimeout,
        Boolean metricsPublic,
        @Allowed("a list of host names like [preloader.preloader.svc]") @JsonFormat(with = ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> allowedHosts,
        Optional<Tls> tls) implements HttpConfigBuilder.With {
    /** A DNS name as an operator lists it: labels of letters, digits and hyphens, no port, no scheme, no wildcard. */
    private static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public HttpConfig {
        host = requireNonNullElse(host, "127.0.0.1").strip();
        port = requireNonNullElse(port, 7780);
        token = requireNonNullElse(token, Optional.empty());
        readToken = requireNonNullElse(readToken, Optional.empty());
        maxBody = requireNonNullElse(maxBody, 64L << 10);
        shutdownTimeout = requireNonNullElse(shutdownTimeout, Duration.ofSeconds(30));
        metricsPublic = requireNonNullElse(metricsPublic, true);
        allowedHosts = requireNonNullElse(allowedHosts, List.<String>of()).stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        tls = requireNonNullElse(tls, Optional.empty());
        Refused.unless(host.matches("[A-Za-z0-9.:_\\[\\]-]+"), "host", host);
        Refused.unless(port >= 0 && port <= 65535, "port", port);
        checkToken("token", token);
        checkToken("read_token", readToken);
        if (readToken.isPresent() && readToken.equals(token)) {
            throw new Refused("read_token", "it is the same as token; give the read token a value of its own");
        }
        Refused.unless(maxBody >= 1 && maxBody <= 16L << 20, "max_body", maxBody);
        Refused.unless(!shutdownTimeout.isNegative() && shutdownTimeout.toSeconds() <= 3600, "shutdown_timeout", shutdownTimeout);
        allowedHosts.stream().filter(n -> !HOST_NAME.matcher(n).matches()).findFirst().ifPresent(n -> {
            throw new Refused("allowed_hosts", "'" + n + "' is not a host name (letters, digits, hyphens and dots; no port, no scheme, no wildcard)");
        });
    }

    private static void checkToken(String key, Optional<String> token) {
        token.filter(t -> t.length() < 16 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)).ifPresent(t -> {
            throw new Refused(key, "use at least 16 printable characters without spaces (e.g. the output of "
                    + "'openssl rand -hex 32'); this one has " + t.length());
        });
    }

    @Override
    public String toString() {
        return "HttpConfig[host=" + host + ", port=" + port + ", token=" + (token.isPresent() ? "<hidden>" : "none")
                + ", readToken=" + (readToken.isPresent() ? "<hidden>" : "none") + ", maxBody=" + maxBody
                + ", shutdownTimeout=" + shutdownTimeout + ", metricsPublic=" + metricsPublic + ", allowedHosts=" + allowedHosts
                + ", tls=" + tls.map(Object::toString).orElse("none") + "]";
    }

    /**
     * HTTPS for {@code serve} ({@code http.tls}): PEM files, {@code {cert, key}} (the key an unencrypted PKCS#8), or a
     * keystore, {@code {keystore, password}} (PKCS#12 or JKS); one or the other.
     */
    public record Tls(Optional<Path> cert, Optional<Path> key, Optional<Path> keystore,
                      @JsonDeserialize(contentUsing = ConfigValues.Secret.class) Optional<String> password) {
        public Tls {
            cert = requireNonNullElse(cert, Optional.empty());
            key = requireNonNullElse(key, Optional.empty());
            keystore = requireNonNullElse(keystore, Optional.empty());
            password = requireNonNullElse(password, Optional.empty());
            if (keystore.isPresent() && (cert.isPresent() || key.isPresent())) {
                throw new Refused("", "give either cert and key (PEM files) or keystore and password, not both");
            }
            if (keystore.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
                throw new Refused("", "give cert and key (PEM files), or keystore and password");
            }
        }

        /** PEM files. */
        public static Tls pem(Path cert, Path key) {
            return new Tls(Optional.of(cert), Optional.of(key), Optional.empty(), Optional.empty());
        }

        /** A keystore and its password. */
        public static Tls keystore(Path file, String password) {
            return new Tls(Optional.empty(), Optional.empty(), Optional.of(file), Optional.of(password));
        }

        /** Never prints the password. */
        @Override
        public String toString() {
            return keystore.map(k -> "Tls[keystore=" + k + ", password=" + (password.isPresent() ? "<hidden>" : "none") + "]")
                    .orElseGet(() -> "Tls[cert=" + cert.orElseThrow() + ", key=" + key.orElseThrow() + "]");
        }
    }
}
