package io.hive.preloader.adapters.http;

import java.nio.file.Path;
import java.util.Objects;

/** Where the server's TLS key and certificate chain are: PEM files, or a keystore (PKCS#12, or JKS). */
public sealed interface Tls {

    /**
     * @param certificate the certificate chain, PEM ({@code BEGIN CERTIFICATE}), the server's own first
     * @param key         its private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
     */
    record Pem(Path certificate, Path key) implements Tls {
        public Pem {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    /** @param password the keystore's password, also the key's */
    record Keystore(Path file, String password) implements Tls {
        public Keystore {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(password, "password");
        }

        /** Never prints the password. */
        @Override
        public String toString() {
            return "Keystore[file=" + file + ", password=<hidden>]";
        }
    }
}
