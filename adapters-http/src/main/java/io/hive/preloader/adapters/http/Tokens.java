package io.hive.preloader.adapters.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The configured bearer tokens, kept as digests and compared in constant time: equal-length digests, both always
 * compared, so that the answer's timing says nothing about either token.
 */
final class Tokens {
    private static final String BEARER = "Bearer ";
    private static final byte[] NONE = new byte[32];

    private final Optional<byte[]> admin;
    private final Optional<byte[]> reader;

    Tokens(Optional<String> admin, Optional<String> reader) {
        this.admin = admin.map(Tokens::digest);
        this.reader = reader.map(Tokens::digest);
    }

    boolean any() {
        return admin.isPresent() || reader.isPresent();
    }

    boolean admin() {
        return admin.isPresent();
    }

    /** The caller an {@code Authorization} header names: none, the admin, the reader, or a stranger (any other credentials). */
    Caller identify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Caller.ANONYMOUS;
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Caller.STRANGER;
        }
        byte[] presented = digest(authorization.substring(BEARER.length()).strip());
        boolean isAdmin = MessageDigest.isEqual(presented, admin.orElse(NONE)) && admin.isPresent();
        boolean isReader = MessageDigest.isEqual(presented, reader.orElse(NONE)) && reader.isPresent();
        return isAdmin ? Caller.ADMIN : isReader ? Caller.READER : Caller.STRANGER;
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
