package io.hive.preloader.adapters.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's key and certificate chain as a keystore for Jetty's {@code SslContextFactory}: a keystore file as it
 * is, or PEM files read into an in-memory PKCS#12 store (the JDK reads PEM certificates itself, and a PKCS#8 key is
 * base64 of what {@link PKCS8EncodedKeySpec} takes). Every failure is one line naming the file.
 */
final class TlsKeys {
    static final String ALIAS = "preloader";
    private static final Pattern PKCS8 = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern OTHER_KEY = Pattern.compile("-----BEGIN ([A-Z ]*PRIVATE KEY)-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    /** A loaded keystore and the password of its key. */
    record Loaded(KeyStore store, String password) {
    }

    private TlsKeys() {
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    static Loaded load(Tls tls) {
        return switch (tls) {
            case Tls.Keystore k -> new Loaded(keystore(k), k.password());
            case Tls.Pem p -> new Loaded(pem(p), "");
        };
    }

    private static KeyStore keystore(Tls.Keystore k) {
        try {
            KeyStore store = KeyStore.getInstance(k.file().toFile(), k.password().toCharArray());
            if (store.aliases().asIterator().hasNext() && java.util.Collections.list(store.aliases()).stream().noneMatch(a -> isKey(store, a))) {
                throw new IllegalArgumentException("http tls keystore " + k.file() + " holds no private key");
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("http tls keystore " + k.file() + " cannot be read (" + Errors.oneLine(reason(e))
                    + "): give a PKCS#12 or JKS file and its password");
        }
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore pem(Tls.Pem p) {
        Certificate[] chain = certificates(p.certificate());
        PrivateKey key = privateKey(p.key());
        if (!belongTogether(key, chain[0])) {
            throw new IllegalArgumentException("http tls key " + p.key() + " does not belong to the certificate in " + p.certificate());
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, new char[0], chain);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot hold the TLS key in memory: " + reason(e), e);
        }
    }

    private static Certificate[] certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("http tls cert " + file + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
            }
            return certs.toArray(Certificate[]::new);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("http tls cert " + file + " cannot be read as PEM certificates (" + Errors.oneLine(reason(e)) + ")");
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("http tls key " + file + " cannot be read (" + Errors.oneLine(reason(e)) + ")");
        }
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            Matcher other = OTHER_KEY.matcher(text);
            String found = other.find() ? "it holds a " + other.group(1) : "it holds no PEM private key";
            throw new IllegalArgumentException("http tls key " + file + ": " + found + "; give an unencrypted PKCS#8 key "
                    + "(-----BEGIN PRIVATE KEY-----, e.g. from 'openssl pkcs8 -topk8 -nocrypt')");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("http tls key " + file + ": its base64 is damaged");
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("http tls key " + file + " is not an RSA, EC or EdDSA private key");
    }

    /** Signs a probe with the key and checks it with the certificate: a key for another certificate fails at start, not at each handshake. */
    private static boolean belongTogether(PrivateKey key, Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] probe = "preloader".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
