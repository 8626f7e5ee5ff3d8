package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.SpawnFlow;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.Graceful;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The preloader as a service: a JSON API under {@code /v1/}, Prometheus text at {@code /metrics}, and a live page at
 * {@code /}, on Javalin (Jetty 12). This class starts and stops it; each resource's routes are in its own class. It
 * drives a {@link ModelPreloader} it does not own: close this server first (it stops accepting, lets in-flight requests
 * finish within the shutdown timeout, then closes the leases and device copies it holds), then the preloader.
 *
 * <pre>{@code
 * try (ModelPreloader preloader = ...; PreloaderHttpServer server = new PreloaderHttpServer(preloader, settings, config).start()) {
 *     System.out.println("listening on " + server.uri());
 * }
 * }</pre>
 */
public final class PreloaderHttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PreloaderHttpServer.class.getName());
    /** After cancelling, how long transfers get to free their device memory and requests to be answered. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

    private final HttpSettings settings;
    private final PreloaderMetrics metrics;
    private final PreloadJobs jobs;
    private final Spawns spawns = new Spawns();
    private final Holdings<TransfersResource.Copy> copies = new Holdings<>("t");
    private final Holdings<Lease> leases = new Holdings<>("l");
    private final InFlight inFlight = new InFlight();
    private final StatsSampler sampler;
    private final JobsResource jobsResource;
    private final List<Resource> api;
    private final Javalin javalin;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int port = -1;

    /**
     * @param config the configuration in force, as {@code GET /v1/config} shows it; values under keys that name a
     *               token, secret, password or credential are shown as {@code <hidden>}
     */
    public PreloaderHttpServer(ModelPreloader preloader, HttpSettings settings, Map<String, ?> config) {
        this(preloader, settings, config, Optional.empty(), Map.of());
    }

    /**
     * A server that can also start workers ({@code POST /v1/models/{id}/spawn}), only the named ones.
     *
     * @param spawner the flow that starts workers, over the same preloader
     * @param workers the workers a request may name, by name; a request names one of these, never a command
     */
    public PreloaderHttpServer(ModelPreloader preloader, HttpSettings settings, Map<String, ?> config, SpawnFlow spawner,
                               Map<String, WorkerSpec> workers) {
        this(preloader, settings, config, Optional.of(Objects.requireNonNull(spawner, "spawner")), workers);
    }

    private PreloaderHttpServer(ModelPreloader preloader, HttpSettings settings, Map<String, ?> config, Optional<SpawnFlow> spawner,
                                Map<String, WorkerSpec> workers) {
        Objects.requireNonNull(preloader, "preloader");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = new PreloaderMetrics(preloader);
        RecentActivity activity = new RecentActivity();
        this.jobs = new PreloadJobs(preloader, loaded -> {
            metrics.loaded(loaded.origin() == Origin.DISK, loaded.took());
            activity.load(loaded);
        });
        this.jobsResource = new JobsResource(preloader, jobs);
        StatsHistory history = new StatsHistory(StatsSampler.KEEP);
        this.sampler = new StatsSampler(at -> StatsHistory.Sample.of(at, preloader.stats(), activity.loadedFromDisk(), activity.transferred()),
                history);
        this.api = List.of(new ModelsResource(preloader, jobs, spawns), jobsResource,
                new TransfersResource(preloader, settings.defaultDevice(), copies, inFlight, metrics, activity),
                new LeasesResource(preloader, leases, metrics), new SpawnsResource(preloader, spawner, workers, spawns),
                new StatsResource(preloader, metrics, activity, jobs, copies, leases, spawns), new HistoryResource(history, StatsSampler.EVERY),
                new ConfigResource(config, settings, this::port, resource("openapi.json")));
        Guard guard = new Guard(settings, new FailedAttempts(), closed::get);
        this.javalin = Javalin.create(cfg -> configure(cfg, guard));
    }

    private void configure(JavalinConfig cfg, Guard guard) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.startup.startupWatcherEnabled = false;
        cfg.http.maxRequestSize = settings.maxBodyBytes();
        cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
        Listener.configure(cfg, settings);
        cfg.routes.before(guard::check);
        cfg.routes.after(guard::drain);
        routes().forEach(r -> cfg.routes.addHttpHandler(r.method(), r.path(), r.handler()));
        Page.serve(cfg);
        Errors.answerFailures(cfg);
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException naming the address when it cannot listen there, or when it is asked to listen beyond
     *                               this host with no token (everyone who can reach it could then call it unchecked)
     */
    public PreloaderHttpServer start() {
        if (!settings.loopback() && settings.token().isEmpty() && settings.exposure().readToken().isEmpty()) {
            throw new IllegalStateException("refusing to listen on " + settings.host() + ", beyond this host, without a token: "
                    + Guard.TOKEN_HINT + ", or listen on 127.0.0.1");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the server was started already");
        }
        try {
            javalin.start();
            port = javalin.port();
            sampler.start();
        } catch (RuntimeException e) {
            close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + cause.getMessage(), e);
        }
        return this;
    }

    /** The port it listens on: the configured one, or the one the system picked for port 0. */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("the server has not started");
        }
        return port;
    }

    /** Where it listens, as a client would write it: {@code http://127.0.0.1:7780} ({@code https://} with TLS). */
    public URI uri() {
        String host = settings.host();
        try {
            if (InetAddress.getByName(host) instanceof Inet6Address && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
        } catch (UnknownHostException e) {
            // A name that does not resolve would have failed to bind; print it as configured.
        }
        return URI.create((settings.exposure().tls().isPresent() ? "https://" : "http://") + host + ":" + port());
    }

    /** How it was configured (the tokens among them: {@link HttpSettings#toString()} never prints them). */
    public HttpSettings settings() {
        return settings;
    }

    /**
     * What a daemon does at startup, as jobs the API and the page show: pins and loads the {@code keep} models, then
     * preloads the {@code mostUsed} others the access journal counts most.
     */
    public Startup startup(List<ModelId> keep, int mostUsed) {
        return jobsResource.startup(keep, mostUsed);
    }

    /**
     * The loads a startup began.
     *
     * @param kept     pinned models being loaded
     * @param mostUsed other models being preloaded, most used first
     * @param unknown  kept ids that no models folder has
     */
    public record Startup(List<ModelId> kept, List<ModelId> mostUsed, List<ModelId> unknown) {
        public Startup {
            kept = List.copyOf(kept);
            mostUsed = List.copyOf(mostUsed);
            unknown = List.copyOf(unknown);
        }
    }

    /** The API's endpoints (the page's static files aside), for the test that holds the OpenAPI document to them. */
    List<Route> routes() {
        return api.stream().flatMap(r -> r.routes().stream()).toList();
    }

    /**
     * Shuts down gracefully: stops accepting connections and refuses new changes (503), waits up to the shutdown
     * timeout for in-flight transfers, then cancels those still running (each frees what it allocated on the device
     * and answers 503), stops the server and the history's sampling, marks running preload jobs cancelled, stops the
     * workers it started (and cancels starts still waiting), and closes the leases and device copies it holds. The
     * preloader itself stays open: its owner closes it next. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (started.get()) {
                Server server = javalin.jettyServer().server();
                for (Connector connector : server.getConnectors()) {
                    if (connector instanceof Graceful graceful) {
                        graceful.shutdown();
                    }
                }
                if (!inFlight.awaitIdle(settings.shutdownTimeout())) {
                    LOG.log(System.Logger.Level.WARNING, "{0} transfers still running after {1} s: cancelling them",
                            inFlight.count(), settings.shutdownTimeout().toSeconds());
                    inFlight.cancelAll("because the server is shutting down");
                    inFlight.awaitIdle(CANCEL_GRACE);
                }
                // What is left are requests answering now: give them a moment to be written.
                server.setStopTimeout(CANCEL_GRACE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inFlight.cancelAll("because the server was interrupted while shutting down");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the HTTP server did not shut down cleanly: " + e.getMessage(), e);
        } finally {
            try {
                if (started.get()) {
                    javalin.stop();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the HTTP server did not stop: " + e.getMessage(), e);
            }
            sampler.close();
            jobs.cancelRunning("the server shut down before the load finished");
            spawns.closeAll();
            leases.closeAll();
            copies.closeAll();
            metrics.close();
        }
    }

    /** The history's sampling thread, for the test that sees it end with the server. */
    String samplerThread() {
        return sampler.threadName();
    }

    /** Whether a shutdown is cancelling transfers (for tests that wait for that moment). */
    boolean cancellingTransfers() {
        return inFlight.cancelling();
    }

    private static byte[] resource(String name) {
        String path = "/io/hive/preloader/adapters/http/" + name;
        try (InputStream in = PreloaderHttpServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " is missing from the adapters-http jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading resource " + path, e);
        }
    }
}
