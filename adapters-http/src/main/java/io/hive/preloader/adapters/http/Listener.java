package io.hive.preloader.adapters.http;

import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.util.Optional;

/**
 * How the server listens: Jetty's one connector, plain or TLS with the configured key, and the limits that keep slow
 * or many clients from holding it (idle connections closed, a connection cap; the guard reads each body at a minimum
 * rate, {@link RequestBody}, rather than Jetty, whose check refuses small bodies that had arrived in full).
 */
final class Listener {
    /** Slow clients: a connection idle this long is closed, and so is a read of a body that waits this long. */
    private static final long IDLE_TIMEOUT_MS = 20_000;
    private static final int MAX_CONNECTIONS = 512;

    private Listener() {
    }

    /** @throws IllegalArgumentException naming the TLS file that cannot be used, before anything listens */
    static void configure(JavalinConfig cfg, HttpSettings settings) {
        Optional<SslContextFactory.Server> tls = settings.exposure().tls().map(Listener::sslContext);
        cfg.jetty.modifyServer(server -> {
            server.insertHandler(new GracefulHandler());
            server.setStopTimeout(settings.shutdownTimeout().toMillis());
            server.setErrorHandler(new JsonErrorHandler());
            server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, server));
        });
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            // The Host check is the guard's, for every name a client may use; SNI need not match the certificate's names.
            tls.ifPresent(t -> http.addCustomizer(new SecureRequestCustomizer(false)));
        });
        cfg.jetty.addConnector((server, http) -> {
            HttpConnectionFactory plain = new HttpConnectionFactory(http);
            ServerConnector connector = tls.map(ssl -> new ServerConnector(server, ssl, plain)).orElseGet(() -> new ServerConnector(server, plain));
            connector.setHost(settings.host());
            connector.setPort(settings.port());
            connector.setIdleTimeout(IDLE_TIMEOUT_MS);
            return connector;
        });
    }

    private static SslContextFactory.Server sslContext(Tls tls) {
        TlsKeys.Loaded keys = TlsKeys.load(tls);
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keys.store());
        ssl.setKeyStorePassword(keys.password());
        ssl.setKeyManagerPassword(keys.password());
        return ssl;
    }
}
