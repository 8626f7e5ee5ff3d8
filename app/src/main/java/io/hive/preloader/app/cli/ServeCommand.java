package io.hive.preloader.app.cli;

import io.hive.preloader.adapters.http.PreloaderHttpServer;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.wiring.Service;
import io.hive.preloader.app.wiring.Wiring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code preloader serve}: the preloader as a daemon beside the hive. It prints {@code listening on http://HOST:PORT}
 * once it accepts requests, pins the kept models and preloads the most used ones, and runs until SIGTERM or SIGINT,
 * when it shuts down gracefully (in-flight transfers finish or are cancelled, then the models are freed).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the preloader as a service: a JSON API under /v1/, Prometheus metrics at /metrics and a live page at /.",
                "Prints 'listening on http://HOST:PORT' once it accepts requests; stops gracefully on SIGTERM or Ctrl-C.",
                "Calls that change state need 'Authorization: Bearer TOKEN': http.token in the config, or $PRELOADER_TOKEN."})
final class ServeCommand extends Subcommand {
    static final String TOKEN_VARIABLE = "PRELOADER_TOKEN";

    @Option(names = "--host", paramLabel = "ADDRESS", description = "the address to listen on (default: http.host, else 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "the port to listen on; 0 picks a free one (default: http.port, else 7780)")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        PreloaderConfig config = withOverrides(root.checkedConfig());
        PrintWriter out = out();
        PrintWriter err = err();
        Service service = Wiring.serve(config, Optional.ofNullable(System.getenv(TOKEN_VARIABLE)));
        PreloaderHttpServer server = service.server();
        try {
            server.start();
        } catch (RuntimeException e) {
            service.close();
            throw Failure.runtime(ErrorHandler.messageOf(e), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } finally {
                stopped.countDown();
            }
        }, "preloader-shutdown"));

        out.println("listening on " + server.uri());
        out.flush();
        warnAboutExposure(config, err);
        PreloaderHttpServer.Startup startup = server.startup(config.keep(), config.autoPreload());
        startup.unknown().forEach(id -> err.println("warning: keep: no model " + id + " in the models folders"));
        if (!startup.kept().isEmpty()) {
            err.println("startup: pinning the kept models: " + names(startup.kept()));
        }
        if (!startup.mostUsed().isEmpty()) {
            err.println("startup: preloading the most used models: " + names(startup.mostUsed()));
        }
        err.flush();
        stopped.await();
        return 0;
    }

    private PreloaderConfig withOverrides(PreloaderConfig config) {
        PreloaderConfig.Http http = config.http();
        if (host != null && host.isBlank()) {
            throw Failure.badInput("--host is empty: use an address such as 127.0.0.1");
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw Failure.badInput("--port " + port + " is not a TCP port (0 to 65535; 0 picks a free one)");
        }
        return config.withHttp(http.withHost(host == null ? http.host() : host.strip()).withPort(port == null ? http.port() : port));
    }

    /** One line each when changes are refused for want of a token, or when the API is reachable beyond this host. */
    private static void warnAboutExposure(PreloaderConfig config, PrintWriter err) {
        boolean token = config.http().token().isPresent() || Optional.ofNullable(System.getenv(TOKEN_VARIABLE)).filter(t -> !t.isEmpty()).isPresent();
        if (!token) {
            err.println("warning: no token is configured: calls that change state are refused (set http.token or " + TOKEN_VARIABLE + ")");
        }
        if (!loopback(config.http().host())) {
            err.println("warning: listening on " + config.http().host() + ", beyond this host: anyone who can reach it can read the API");
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String names(java.util.List<?> ids) {
        return ids.stream().map(Object::toString).collect(Collectors.joining(", "));
    }
}
