package io.hive.preloader.app.cli;

import io.hive.preloader.adapters.http.HttpSettings;
import io.hive.preloader.adapters.http.PreloaderHttpServer;
import io.hive.preloader.app.config.HttpConfig;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.wiring.Service;
import io.hive.preloader.app.wiring.Wiring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * {@code preloader serve}: the preloader as a daemon beside the hive. It prints {@code listening on http://HOST:PORT}
 * once it accepts requests, pins the kept models and preloads the most used ones, and runs until SIGTERM or SIGINT,
 * when it shuts down gracefully (in-flight transfers finish or are cancelled, then the models are freed).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the preloader as a service: a JSON API under /v1/, Prometheus metrics at /metrics and a live page at /.",
                "Prints 'listening on http://HOST:PORT' once it accepts requests; stops gracefully on SIGTERM or Ctrl-C.",
                "Reads beyond /v1/health and /metrics need 'Authorization: Bearer TOKEN' (http.read_token or the admin token),",
                "changes the admin token: http.token in the config, or $PRELOADER_TOKEN. Refuses to listen beyond this host without one."})
final class ServeCommand extends Subcommand {
    static final String TOKEN_VARIABLE = "PRELOADER_TOKEN";

    @Option(names = "--host", paramLabel = "ADDRESS", description = "the address to listen on (default: http.host, else 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "the port to listen on; 0 picks a free one (default: http.port, else 7780)")
    Integer port;

    /** Whether stdout (and stdin) is a terminal: a person reading, not a file or the journal. */
    private static final BooleanSupplier terminal = () -> System.console() != null && System.console().isTerminal();

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
            throw Failure.runtime(FailureReport.messageOf(e), e);
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
        if (terminal.getAsBoolean()) {
            pageLink(server).ifPresent(link -> out.println("the page, with its token: " + link));
        }
        out.flush();
        warnAboutExposure(server.settings(), err);
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
        HttpConfig http = config.http();
        if (host != null && host.isBlank()) {
            throw Failure.badInput("--host is empty: use an address such as 127.0.0.1");
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw Failure.badInput("--port " + port + " is not a TCP port (0 to 65535; 0 picks a free one)");
        }
        return config.withHttp(http.withHost(host == null ? http.host() : host.strip()).withPort(port == null ? http.port() : port));
    }

    /**
     * The page's address with the token in its fragment, as Jupyter prints it: only on a terminal (never into a file or
     * the journal, where it would be kept), never in a query string (a fragment is not sent to the server, so no log
     * or Referer has it). The read token when there is one: the page only reads.
     */
    static Optional<String> pageLink(PreloaderHttpServer server) {
        HttpSettings settings = server.settings();
        return settings.exposure().readToken().or(settings::token)
                .map(t -> server.uri() + "/#token=" + URLEncoder.encode(t, StandardCharsets.UTF_8));
    }

    /** One line each when reads and changes are refused for want of a token, or when the API goes beyond this host in clear text. */
    private static void warnAboutExposure(HttpSettings settings, PrintWriter err) {
        if (settings.token().isEmpty()) {
            err.println(settings.exposure().readToken().isPresent()
                    ? "warning: no admin token is configured: calls that change state are refused (set http.token or " + TOKEN_VARIABLE + ")"
                    : "warning: no token is configured: only /v1/health, /metrics and the page's shell answer, and calls that change "
                    + "state are refused (set http.token or " + TOKEN_VARIABLE + ")");
        }
        if (!settings.loopback() && settings.exposure().tls().isEmpty()) {
            err.println("warning: listening on " + settings.host() + ", beyond this host, without TLS: tokens cross the network in clear "
                    + "text (set http.tls)");
        }
    }

    private static String names(java.util.List<?> ids) {
        return ids.stream().map(Object::toString).collect(Collectors.joining(", "));
    }
}
