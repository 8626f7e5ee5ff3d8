package io.hive.preloader.adapters.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate made for a test by the JDK's {@code keytool} (for 127.0.0.1, ::1 and localhost),
 * as a PKCS#12 keystore and as the PEM files an operator would have, and a client context that trusts it alone.
 */
record TestCertificate(Path keystore, String password, Path certPem, Path keyPem) {

    static TestCertificate make(Path dir, String keyAlgorithm) {
        Path keystore = dir.resolve("server-" + keyAlgorithm + ".p12");
        String password = "keystore-password";
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", keyAlgorithm, "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,ip:::1,dns:localhost", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password, "-keypass", password), dir);
        try {
            KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
            Certificate cert = store.getCertificate("server");
            PrivateKey key = (PrivateKey) store.getKey("server", password.toCharArray());
            Path certPem = Files.writeString(dir.resolve("server-" + keyAlgorithm + ".crt"), pem("CERTIFICATE", cert.getEncoded()));
            Path keyPem = Files.writeString(dir.resolve("server-" + keyAlgorithm + ".key"), pem("PRIVATE KEY", key.getEncoded()));
            return new TestCertificate(keystore, password, certPem, keyPem);
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError("reading the keystore keytool made: " + e, e);
        }
    }

    /** A client context that trusts this certificate and nothing else. */
    SSLContext trustingIt() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", KeyStore.getInstance(keystore.toFile(), password.toCharArray()).getCertificate("server"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void run(List<String> command, Path dir) {
        try {
            Path log = dir.resolve("keytool.log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("keytool did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("keytool failed: " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new AssertionError("running keytool: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
