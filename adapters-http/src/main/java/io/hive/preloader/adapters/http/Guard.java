package io.hive.preloader.adapters.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * What every request passes before an endpoint sees it, in this order: a {@code Host} this server answers to (and, on
 * a call that changes state, an {@code Origin} that is this server), a path with no traversal in any spelling, the
 * token the call needs (failed attempts limited per client), no new changes once the server is shutting down, and a
 * body within the limit, read in full at a minimum rate ({@link RequestBody}).
 *
 * <p>What needs which token: {@code GET /v1/health}, the page's static shell and (unless closed) {@code /metrics}
 * need none; every other read needs the read or the admin token; every change needs the admin token.
 */
final class Guard {
    static final String TOKEN_HINT = "set http.token in the config file or the PRELOADER_TOKEN environment variable";
    /** Dot-dot, and encoded dots, slashes, backslashes and NULs: nothing a model id or an API path ever contains. */
    private static final Pattern TRAVERSAL = Pattern.compile("\\.\\.|%2[eEfF]|%5[cC]|%00|\\\\");
    private static final Set<HandlerType> CHANGES_STATE = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    private static final Set<String> OPEN = Set.of("/v1/health");
    static final String METRICS = "/metrics";

    private final Tokens tokens;
    private final AllowedHosts hosts;
    private final FailedAttempts attempts;
    private final boolean metricsPublic;
    private final String scheme;
    private final long maxBodyBytes;
    private final BooleanSupplier closing;

    Guard(HttpSettings settings, FailedAttempts attempts, BooleanSupplier closing) {
        HttpSettings.Exposure exposure = settings.exposure();
        this.tokens = new Tokens(settings.token(), exposure.readToken());
        this.hosts = new AllowedHosts(exposure.allowedHosts());
        this.attempts = attempts;
        this.metricsPublic = exposure.metricsPublic();
        this.scheme = exposure.tls().isPresent() ? "https" : "http";
        this.maxBodyBytes = settings.maxBodyBytes();
        this.closing = closing;
    }

    void check(Context ctx) {
        boolean changes = CHANGES_STATE.contains(ctx.method());
        checkHost(ctx, changes);
        String raw = ctx.req().getRequestURI();
        if (raw != null && TRAVERSAL.matcher(raw).find()) {
            throw new ApiException(400, "invalid path: '..', encoded dots, slashes or backslashes are not allowed in ids or paths");
        }
        Caller caller = tokens.identify(ctx.header("Authorization"));
        caller.mark(ctx);
        boolean needsToken = changes || needsToken(ctx.path());
        if (needsToken && caller == Caller.STRANGER) {
            refuseStranger(ctx);
        }
        if (changes) {
            authorizeChange(caller);
            if (closing.getAsBoolean()) {
                throw new ApiException(503, "the server is shutting down");
            }
        } else if (needsToken && !caller.mayRead()) {
            throw new ApiException(401, tokens.any() ? "this read needs a token: send 'Authorization: Bearer <token>' (the read or the admin token)"
                    : "reads beyond /v1/health and /metrics are disabled: no token is configured (" + TOKEN_HINT + ")");
        }
        long length = ctx.req().getContentLengthLong();
        if (length > maxBodyBytes) {
            throw new ApiException(413, "request body of " + length + " bytes is larger than the limit of " + maxBodyBytes + " bytes");
        }
        if (changes) {
            RequestBody.read(ctx, maxBodyBytes);
        }
    }

    /**
     * Whether a read of this path needs a token: everything under {@code /v1/} but the health check, and the metrics
     * when they are closed. The path is taken as Jetty routes it, so that no spelling of a protected path (a doubled
     * slash, a trailing one) reads as another; what is not an API path is the page's static shell or a 404.
     */
    private boolean needsToken(String path) {
        String p = path.replaceAll("/{2,}", "/");
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (OPEN.contains(p)) {
            return false;
        }
        return p.equals("/v1") || p.startsWith("/v1/") || (!metricsPublic && p.equals(METRICS));
    }

    /**
     * DNS rebinding: a name other than ours in {@code Host} is a page that pointed its own name at this address. A
     * change from a browser must also come from this server's own origin (CORS stays off, so no other origin is
     * ever let in).
     */
    private void checkHost(Context ctx, boolean changes) {
        // The header, and the name Jetty routes by (an absolute request URI's, which wins over the header); a request
        // without Host (HTTP/1.0) routes by the local address. No browser sends either of the last two.
        String host = ctx.header("Host");
        for (String name : host == null ? List.of(ctx.req().getServerName()) : List.of(host, ctx.req().getServerName())) {
            if (!hosts.allows(name)) {
                throw new ApiException(403, "the Host " + Errors.quoted(name) + " is not a name of this server: "
                        + "use its IP address or localhost, or list the name in http.allowed_hosts");
            }
        }
        String origin = ctx.header("Origin");
        if (changes && origin != null && (host == null || !hosts.allowsOrigin(origin, host, scheme))) {
            throw new ApiException(403, "the Origin " + Errors.quoted(origin) + " is not this server (" + scheme + "://" + host
                    + "): calls that change state are not taken from other origins");
        }
    }

    /** A token that is neither ours: 401, or 429 once this client has failed too often within a second. */
    private void refuseStranger(Context ctx) {
        Optional<Duration> wait = attempts.failed(ctx.req().getRemoteAddr());
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            ctx.header("Retry-After", String.valueOf(seconds));
            throw new ApiException(429, "too many failed token attempts from this address: retry after " + seconds + " s");
        }
        throw new ApiException(401, "the bearer token is not a configured one");
    }

    private void authorizeChange(Caller caller) {
        switch (caller) {
            case ADMIN -> { }
            case READER -> throw new ApiException(403, "the read token cannot change state: use the admin token (http.token)");
            default -> throw new ApiException(401, tokens.admin() ? "this call changes state: send 'Authorization: Bearer <token>'"
                    : "calls that change state are disabled: no token is configured (" + TOKEN_HINT + ")");
        }
    }

    /**
     * Runs after every request, answered or refused: reads what is left of its body (within the limit and the minimum
     * rate) so that the connection can carry the client's next request. A body past the limit, or too slow, is not
     * read: the answer then says {@code Connection: close}, so that the client does not send its next request down a
     * connection being closed.
     */
    void drain(Context ctx) {
        if (ctx.statusCode() == 413 || ctx.statusCode() == 408) {
            ctx.header("Connection", "close");
            return;
        }
        try {
            RequestBody.discard(ctx, maxBodyBytes);
        } catch (IOException | RuntimeException e) {
            ctx.header("Connection", "close");
        }
    }
}
