package io.hive.preloader.adapters.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * What every request passes before an endpoint sees it: a path with no traversal in any spelling, a bearer token
 * on calls that change state, a body within the limit, and no new changes once the server is shutting down.
 */
final class Guard {
    static final String TOKEN_HINT = "set http.token in the config file or the PRELOADER_TOKEN environment variable";
    /** Dot-dot, and encoded dots, slashes, backslashes and NULs: nothing a model id or an API path ever contains. */
    private static final Pattern TRAVERSAL = Pattern.compile("\\.\\.|%2[eEfF]|%5[cC]|%00|\\\\");
    private static final Set<HandlerType> CHANGES_STATE = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    private final Optional<byte[]> tokenDigest;
    private final long maxBodyBytes;
    private final BooleanSupplier closing;

    Guard(Optional<String> token, long maxBodyBytes, BooleanSupplier closing) {
        this.tokenDigest = token.map(Guard::digest);
        this.maxBodyBytes = maxBodyBytes;
        this.closing = closing;
    }

    void check(Context ctx) {
        String raw = ctx.req().getRequestURI();
        if (raw != null && TRAVERSAL.matcher(raw).find()) {
            throw new ApiException(400, "invalid path: '..', encoded dots, slashes or backslashes are not allowed in ids or paths");
        }
        if (CHANGES_STATE.contains(ctx.method())) {
            authorize(ctx.header("Authorization"));
            if (closing.getAsBoolean()) {
                throw new ApiException(503, "the server is shutting down");
            }
        }
        long length = ctx.req().getContentLengthLong();
        if (length > maxBodyBytes) {
            throw new ApiException(413, "request body of " + length + " bytes is larger than the limit of " + maxBodyBytes + " bytes");
        }
    }

    /**
     * Runs after every request, answered or refused: reads what is left of its body (within the limit) so that the
     * connection can carry the client's next request. A body past the limit is not read: the answer then says
     * {@code Connection: close}, so that the client does not send its next request down a connection being closed.
     */
    void drain(Context ctx) {
        if (ctx.statusCode() == 413) {
            ctx.header("Connection", "close");
            return;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[8192];
            long left = maxBodyBytes + 1;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) != -1) {
                left -= n;
            }
            if (left <= 0) {
                ctx.header("Connection", "close");
            }
        } catch (IOException | RuntimeException e) {
            ctx.header("Connection", "close");
        }
    }

    private void authorize(String header) {
        if (tokenDigest.isEmpty()) {
            throw new ApiException(401, "calls that change state are disabled: no token is configured (" + TOKEN_HINT + ")");
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "this call changes state: send 'Authorization: Bearer <token>'");
        }
        // Digests of equal length, compared in constant time: the answer's timing says nothing about the token.
        if (!MessageDigest.isEqual(digest(header.substring(7).strip()), tokenDigest.get())) {
            throw new ApiException(401, "the bearer token is not the configured one");
        }
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
