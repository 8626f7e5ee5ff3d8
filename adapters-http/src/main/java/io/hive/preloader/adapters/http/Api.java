package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.service.Loaded;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.ModelStats;
import io.hive.preloader.core.service.PreloaderStats;
import io.hive.preloader.core.service.SpawnFlow;
import io.hive.preloader.core.service.UnknownModelException;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The endpoints: each reads its input, calls the preloader, and answers JSON. Ids are validated before anything
 * else is done with them ({@link ModelId} allows no path), and a model is only ever named by the catalog's lookup.
 */
final class Api {
    private static final Pattern JOB_ID = Pattern.compile("[1-9][0-9]{0,17}");
    private static final Pattern PID = Pattern.compile("[1-9][0-9]{0,17}");

    /** One endpoint: what the route table, the OpenAPI document and the guard agree on. */
    record Route(HandlerType method, String path, Handler handler) {
    }

    /**
     * {@code POST /v1/models/{id}/transfer}'s body; every field is optional.
     *
     * @param keep     hold the copy until released (default); false frees it at once (to measure a transfer)
     * @param checksum read the copy back and compare CRC32C chunk by chunk
     * @param plan     {@code auto}, {@code direct} or {@code staged}; the configured plan when absent
     */
    record TransferRequest(Integer device, Boolean keep, Boolean checksum, String plan) {
        static final TransferRequest DEFAULT = new TransferRequest(null, null, null, null);

        int deviceOr(int fallback) {
            return device == null ? fallback : device;
        }

        boolean keepOrDefault() {
            return keep == null || keep;
        }

        boolean checksumOrDefault() {
            return checksum != null && checksum;
        }

        Optional<PlanMode> planMode() {
            if (plan == null) {
                return Optional.empty();
            }
            for (PlanMode mode : PlanMode.values()) {
                if (PreloadJobs.name(mode).equals(plan)) {
                    return Optional.of(mode);
                }
            }
            throw ApiException.badRequest("plan '" + Errors.oneLine(plan) + "' is not one of auto, direct, staged");
        }
    }

    /**
     * A copy on a device, held (with an id to release it) or already freed.
     *
     * @param seconds            the copying alone, from the first byte read to the last written
     * @param gigabytesPerSecond bytes over {@code seconds}
     * @param totalSeconds       the whole call: loading when not resident, pinning, checking
     * @param plan               {@code direct_pinned}, {@code direct} or {@code staged}, and why in {@code planReason}
     * @param crc32c             the copy's CRC32C (hex) when a checksum was asked for and matched
     */
    record TransferView(String id, String model, int device, long bytes, double seconds, Double gigabytesPerSecond,
                        double totalSeconds, String origin, String plan, String planReason, String crc32c, String handle,
                        boolean held, String since) {
    }

    /**
     * How a worker reaches a model: a lease the server holds for it until released, and where the bytes are.
     *
     * @param kind {@code page_cache_file} (map or read {@code path}: its pages are resident), {@code shared_file}
     *             (map {@code path}), or {@code private_memory} (only a transfer reaches the bytes)
     */
    record HandoffView(String lease, String model, String kind, String path, long size, long residentBytes, String origin,
                       String hint, String since) {
    }

    /** {@code POST /v1/models/{id}/spawn}'s body: the name of a configured worker, never a command. */
    record SpawnBody(String worker) {
        static final SpawnBody EMPTY = new SpawnBody(null);
    }

    private final ModelPreloader preloader;
    private final Optional<SpawnFlow> spawner;
    private final Map<String, WorkerSpec> workers;
    final Spawns spawns = new Spawns();
    private final Supplier<Map<String, Object>> config;
    private final byte[] openApi;
    private final int defaultDevice;
    final PreloadJobs jobs;
    final Holdings<Transfer> copies = new Holdings<>("t");
    final InFlight inFlight = new InFlight();
    final Holdings<Lease> leases = new Holdings<>("l");
    final RecentActivity activity = new RecentActivity();
    final PreloaderMetrics metrics;
    /** Which path each held copy came through ({@code ram} or {@code disk}), for its view; forgotten with the copy. */
    private final Map<String, String> origins = new ConcurrentHashMap<>();

    Api(ModelPreloader preloader, Supplier<Map<String, Object>> config, byte[] openApi, int defaultDevice,
        Optional<SpawnFlow> spawner, Map<String, WorkerSpec> workers) {
        this.preloader = preloader;
        this.spawner = spawner;
        this.workers = Map.copyOf(workers);
        this.defaultDevice = defaultDevice;
        this.config = config;
        this.openApi = openApi;
        this.metrics = new PreloaderMetrics(preloader);
        this.jobs = new PreloadJobs(job -> job.loaded().ifPresent(this::recordLoad));
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/v1/health", ctx -> ctx.json(Map.of("status", "ok"))),
                new Route(HandlerType.GET, "/v1/models", ctx -> ctx.json(Map.of("models", ModelView.all(preloader.catalog(), preloader.stats(), spawns.workers())))),
                new Route(HandlerType.GET, "/v1/models/{id}", this::model),
                new Route(HandlerType.POST, "/v1/models/{id}/preload", ctx -> startJob(ctx, PreloadJobs.Kind.PRELOAD)),
                new Route(HandlerType.POST, "/v1/models/{id}/pin", ctx -> startJob(ctx, PreloadJobs.Kind.PIN)),
                new Route(HandlerType.DELETE, "/v1/models/{id}/pin", this::unpin),
                new Route(HandlerType.POST, "/v1/models/{id}/evict", this::evict),
                new Route(HandlerType.POST, "/v1/models/{id}/transfer", this::transfer),
                new Route(HandlerType.POST, "/v1/models/{id}/handoff", this::handoff),
                new Route(HandlerType.POST, "/v1/models/{id}/spawn", this::spawn),
                new Route(HandlerType.GET, "/v1/spawns", ctx -> ctx.json(Map.of("spawns", spawns.recent().stream().map(Spawns.Spawn::view).toList()))),
                new Route(HandlerType.GET, "/v1/spawns/{spawn}", this::spawnStatus),
                new Route(HandlerType.GET, "/v1/workers", ctx -> ctx.json(Map.of("workers", spawns.workers().stream().map(Spawns.Running::view).toList()))),
                new Route(HandlerType.DELETE, "/v1/workers/{pid}", this::stopWorker),
                new Route(HandlerType.GET, "/v1/jobs", ctx -> ctx.json(Map.of("jobs", jobs.recent().stream().map(PreloadJobs.Job::view).toList()))),
                new Route(HandlerType.GET, "/v1/jobs/{job}", this::job),
                new Route(HandlerType.GET, "/v1/transfers", ctx -> ctx.json(Map.of("transfers", copies.list().stream().map(this::transferView).toList()))),
                new Route(HandlerType.GET, "/v1/transfers/{transfer}", ctx -> ctx.json(transferView(copies.get(ctx.pathParam("transfer"))))),
                new Route(HandlerType.DELETE, "/v1/transfers/{transfer}", this::releaseTransfer),
                new Route(HandlerType.GET, "/v1/leases", ctx -> ctx.json(Map.of("leases", leases.list().stream().map(this::handoffView).toList()))),
                new Route(HandlerType.GET, "/v1/leases/{lease}", ctx -> ctx.json(handoffView(leases.get(ctx.pathParam("lease"))))),
                new Route(HandlerType.DELETE, "/v1/leases/{lease}", this::releaseLease),
                new Route(HandlerType.GET, "/v1/stats", ctx -> ctx.json(stats())),
                new Route(HandlerType.GET, "/v1/activity", this::activity),
                new Route(HandlerType.GET, "/v1/config", ctx -> ctx.json(config.get())),
                new Route(HandlerType.GET, "/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi)),
                new Route(HandlerType.GET, "/metrics", ctx -> ctx.contentType(PreloaderMetrics.CONTENT_TYPE).result(metrics.scrape())));
    }

    // ---- models

    private void model(Context ctx) {
        ModelId id = modelId(ctx);
        ctx.json(ModelView.one(id, preloader.catalog(), preloader.stats(), spawns.workers()).orElseThrow(() -> new UnknownModelException(id)));
    }

    private void startJob(Context ctx, PreloadJobs.Kind kind) {
        ModelId id = modelId(ctx);
        PreloadJobs.Job job = jobs.start(id, kind, j -> kind == PreloadJobs.Kind.PIN ? preloader.pin(id) : preloader.preload(id, j));
        answerJob(ctx, job);
    }

    /** 202 with the job to poll when a load was started (it may have ended already); 200 when the model was resident. */
    private static void answerJob(Context ctx, PreloadJobs.Job job) {
        boolean wasResident = job.loaded().map(l -> l.origin() == Origin.RAM).orElse(false);
        ctx.status(wasResident ? 200 : 202);
        ctx.header("Location", PreloadJobs.PATH + job.id);
        ctx.json(job.view());
    }

    /**
     * What a daemon does when it starts: pins and loads the kept models, then preloads the {@code count} others the
     * access journal counts most, each as a job; ids the catalog does not know are reported, not loaded.
     */
    PreloaderHttpServer.Startup startup(List<ModelId> keep, int count) {
        Set<ModelId> catalog = preloader.catalog().stream().map(ModelDescriptor::id).collect(Collectors.toSet());
        List<ModelId> kept = new ArrayList<>();
        List<ModelId> unknown = new ArrayList<>();
        for (ModelId id : keep) {
            if (!catalog.contains(id)) {
                unknown.add(id);
            } else if (launch(id, PreloadJobs.Kind.PIN, j -> preloader.pin(id))) {
                kept.add(id);
            }
        }
        List<ModelId> chosen = count <= 0 ? List.of() : preloader.stats().mostAccessed(Integer.MAX_VALUE).stream()
                .filter(m -> m.accesses() > 0 && catalog.contains(m.id()) && !keep.contains(m.id()))
                .limit(count)
                .map(ModelStats::id)
                .toList();
        List<ModelId> mostUsed = new ArrayList<>();
        for (ModelId id : chosen) {
            if (launch(id, PreloadJobs.Kind.AUTO, j -> preloader.preload(id, j))) {
                mostUsed.add(id);
            }
        }
        return new PreloaderHttpServer.Startup(kept, mostUsed, unknown);
    }

    private boolean launch(ModelId id, PreloadJobs.Kind kind, java.util.function.Function<PreloadJobs.Job, java.util.concurrent.CompletableFuture<Loaded>> load) {
        try {
            jobs.start(id, kind, load);
            return true;
        } catch (RuntimeException e) {
            System.getLogger(Api.class.getName()).log(System.Logger.Level.WARNING,
                    "startup preload of {0} failed: {1}", id, Errors.answer(e).message());
            return false;
        }
    }

    private void unpin(Context ctx) {
        ModelId id = requireKnown(modelId(ctx));
        preloader.unpin(id);
        ctx.json(ModelView.one(id, preloader.catalog(), preloader.stats()).orElseThrow(() -> new UnknownModelException(id)));
    }

    private void evict(Context ctx) {
        ModelId id = requireKnown(modelId(ctx));
        boolean evicted = preloader.evict(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", id.value());
        body.put("evicted", evicted);
        body.put("state", ModelView.one(id, preloader.catalog(), preloader.stats()).map(ModelView::state).orElse(ModelView.ON_DISK));
        ctx.json(body);
    }

    // ---- devices and workers

    private void transfer(Context ctx) {
        ModelId id = modelId(ctx);
        TransferRequest request = Json.read(ctx.bodyAsBytes(), TransferRequest.class, TransferRequest.DEFAULT);
        int device = request.deviceOr(defaultDevice);
        if (device < 0) {
            throw ApiException.badRequest("device " + device + " does not exist: devices are numbered from 0");
        }
        TransferOptions options = TransferOptions.defaults().withChecksum(request.checksumOrDefault());
        Optional<PlanMode> plan = request.planMode();
        if (plan.isPresent()) {
            options = options.withPlan(plan.get());
        }
        boolean wasResident = resident(id).isPresent();
        Transfer transfer;
        try (InFlight.Ticket ticket = inFlight.start()) {
            transfer = preloader.transfer(id, device, options.withCancellation(ticket.cancellation));
        }
        DeviceCopy copy = transfer.copy();
        String origin = switch (transfer.plan()) {
            case TransferPlan.Staged staged -> PreloadJobs.name(staged.from());
            default -> wasResident ? "ram" : "disk";
        };
        metrics.transferred(copy.bytes(), copy.took());
        activity.transfer(id.value(), copy.bytes(), copy.took(), origin, device);
        if (!request.keepOrDefault()) {
            TransferView view = transferView(null, transfer, origin, null);
            transfer.close();
            ctx.json(view);
            return;
        }
        Holdings.Held<Transfer> held = copies.hold(transfer)
                .orElseThrow(() -> ApiException.unavailable("the server is shutting down; the copy was freed"));
        origins.put(held.id(), origin);
        ctx.status(201).header("Location", "/v1/transfers/" + held.id()).json(transferView(held));
    }

    private TransferView transferView(Holdings.Held<Transfer> held) {
        return transferView(held.id(), held.value(), origins.get(held.id()), held.since().toString());
    }

    private static TransferView transferView(String heldId, Transfer transfer, String origin, String since) {
        DeviceCopy c = transfer.copy();
        String plan = switch (transfer.plan()) {
            case TransferPlan.Direct d -> d.pinned() ? "direct_pinned" : "direct";
            case TransferPlan.Staged s -> "staged";
        };
        String crc = transfer.crc32c().isPresent() ? String.format("%08x", transfer.crc32c().getAsLong()) : null;
        return new TransferView(heldId, c.model().value(), c.device(), c.bytes(), PreloadJobs.seconds(c.took()),
                Rates.gigabytesPerSecond(c.bytes(), c.took()), PreloadJobs.seconds(transfer.took()), origin, plan,
                transfer.plan().reason(), crc, c.handle(), heldId != null, since);
    }

    private void releaseTransfer(Context ctx) {
        Holdings.Held<Transfer> held = copies.release(ctx.pathParam("transfer"));
        origins.remove(held.id());
        ctx.json(Map.of("released", held.id(), "model", held.value().copy().model().value()));
    }

    private void handoff(Context ctx) {
        ModelId id = modelId(ctx);
        long start = System.nanoTime();
        Lease lease = preloader.open(id).orElseThrow(() -> ApiException.conflict(id + " is not resident: POST /v1/models/" + id
                + "/preload and wait for its job to be done, then ask for the handoff again"));
        metrics.loaded(false, Duration.ofNanos(System.nanoTime() - start));
        Holdings.Held<Lease> held = leases.hold(lease).orElseThrow(() -> ApiException.unavailable("the server is shutting down"));
        ctx.status(201).header("Location", "/v1/leases/" + held.id()).json(handoffView(held));
    }

    private HandoffView handoffView(Holdings.Held<Lease> held) {
        Lease lease = held.value();
        String model = lease.id().value();
        long resident = preloader.stats().cache().entries().stream().filter(e -> e.id().equals(lease.id()))
                .mapToLong(CacheSnapshot.Entry::residentBytes).max().orElse(0L);
        String origin = PreloadJobs.name(lease.origin());
        return switch (lease.handoff()) {
            case Handoff.PageCacheFile f -> new HandoffView(held.id(), model, "page_cache_file", f.file().toString(),
                    lease.descriptor().size(), resident, origin, "map or read this file: its pages are resident in the page cache",
                    held.since().toString());
            case Handoff.SharedFile f -> new HandoffView(held.id(), model, "shared_file", f.file().toString(),
                    lease.descriptor().size(), resident, origin, "map this shared-memory file: it holds the model's bytes",
                    held.since().toString());
            case Handoff.PrivateMemory p -> new HandoffView(held.id(), model, "private_memory", null, lease.descriptor().size(),
                    resident, origin, "the bytes are private to the preloader: POST /v1/models/" + model + "/transfer copies them to a device",
                    held.since().toString());
            default -> new HandoffView(held.id(), model, "other", null, lease.descriptor().size(), resident, origin,
                    String.valueOf(lease.handoff()), held.since().toString());
        };
    }

    private void releaseLease(Context ctx) {
        Holdings.Held<Lease> held = leases.release(ctx.pathParam("lease"));
        ctx.json(Map.of("released", held.id(), "model", held.value().id().value()));
    }

    /**
     * Starts a configured worker on the model, on a thread of its own: 202 with the spawn to poll. The body names the
     * worker; its command comes from the configuration only.
     */
    private void spawn(Context ctx) {
        ModelId id = modelId(ctx);
        SpawnBody body = Json.read(ctx.bodyAsBytes(), SpawnBody.class, SpawnBody.EMPTY);
        if (body.worker() == null || body.worker().isBlank()) {
            throw ApiException.badRequest("the body must name a configured worker: {\"worker\": \"NAME\"}" + configured());
        }
        String name = body.worker();
        WorkerSpec spec = workers.get(name);
        if (spec == null || spawner.isEmpty()) {
            throw ApiException.notFound("no worker '" + Errors.oneLine(name.length() > 40 ? name.substring(0, 40) + "…" : name)
                    + "' is configured" + configured());
        }
        requireKnown(id);
        Spawns.Spawn spawn = spawns.start(spawner.get(), id, name, spec)
                .orElseThrow(() -> ApiException.unavailable("the server is shutting down"));
        ctx.status(202).header("Location", Spawns.PATH + spawn.id).json(spawn.view());
    }

    private String configured() {
        return workers.isEmpty() || spawner.isEmpty() ? " (the config's workers: section names none)"
                : "; configured: " + workers.keySet().stream().sorted().collect(Collectors.joining(", "));
    }

    private void spawnStatus(Context ctx) {
        String raw = ctx.pathParam("spawn");
        if (!JOB_ID.matcher(raw).matches()) {
            throw ApiException.badRequest("'" + Errors.oneLine(raw.length() > 40 ? raw.substring(0, 40) + "…" : raw) + "' is not a spawn id (a number)");
        }
        ctx.json(spawns.get(Long.parseLong(raw)).orElseThrow(() -> ApiException.notFound("no spawn " + raw + " (spawns are kept for the last "
                + Spawns.KEEP + " starts)")).view());
    }

    private void stopWorker(Context ctx) throws InterruptedException {
        String raw = ctx.pathParam("pid");
        if (!PID.matcher(raw).matches()) {
            throw ApiException.badRequest("'" + Errors.oneLine(raw.length() > 40 ? raw.substring(0, 40) + "…" : raw) + "' is not a pid (a number)");
        }
        long pid = Long.parseLong(raw);
        Spawns.Running running = spawns.worker(pid).orElseThrow(() -> ApiException.notFound("no worker with pid " + pid
                + " was started through the API, or it has exited"));
        Optional<Integer> exit = spawns.stop(running);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stopped", pid);
        body.put("model", running.spawned().model().value());
        body.put("worker", running.worker());
        body.put("exit_code", exit.orElse(null));
        ctx.json(body);
    }

    // ---- jobs, stats, activity

    private void job(Context ctx) {
        String raw = ctx.pathParam("job");
        if (!JOB_ID.matcher(raw).matches()) {
            throw ApiException.badRequest("'" + Errors.oneLine(raw.length() > 40 ? raw.substring(0, 40) + "…" : raw) + "' is not a job id (a number)");
        }
        ctx.json(jobs.get(Long.parseLong(raw)).orElseThrow(() -> ApiException.notFound("no job " + raw + " (jobs are kept for the last "
                + PreloadJobs.KEEP + " preloads)")).view());
    }

    private Map<String, Object> stats() {
        PreloaderStats s = preloader.stats();
        CacheSnapshot c = s.cache();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hits", s.hits());
        body.put("misses", s.misses());
        body.put("hit_rate", s.hitRate());
        body.put("bytes_loaded_from_disk", s.bytesLoadedFromDisk());
        body.put("transfers", s.transfers());
        body.put("bytes_transferred", s.bytesTransferred());
        body.put("budget_bytes", c.budgetBytes());
        body.put("used_bytes", c.usedBytes());
        body.put("resident_bytes", c.residentBytes());
        body.put("evictions", c.evictions());
        body.put("store", c.store());
        body.put("policy", c.policy());
        body.put("models_resident", c.entries().stream().filter(e -> e.state() == CacheSnapshot.State.RESIDENT).count());
        body.put("models_pinned", c.entries().stream().filter(CacheSnapshot.Entry::pinned).count());
        body.put("jobs_running", jobs.running());
        body.put("transfers_held", copies.size());
        body.put("leases_held", leases.size());
        body.put("workers_running", spawns.workers().size());
        return body;
    }

    private void activity(Context ctx) {
        String raw = ctx.queryParam("limit");
        int limit = 20;
        if (raw != null) {
            if (!raw.matches("[0-9]{1,3}") || Integer.parseInt(raw) < 1 || Integer.parseInt(raw) > RecentActivity.CAPACITY) {
                throw ApiException.badRequest("limit must be a number from 1 to " + RecentActivity.CAPACITY);
            }
            limit = Integer.parseInt(raw);
        }
        ctx.json(Map.of("events", activity.recent(limit)));
    }

    private void recordLoad(Loaded loaded) {
        boolean fromDisk = loaded.origin() == Origin.DISK;
        metrics.loaded(fromDisk, loaded.took());
        activity.load(loaded.id().value(), loaded.bytes(), loaded.took(), fromDisk ? "disk" : "ram");
    }

    // ---- helpers

    /** The {@code {id}} path parameter as a model id; @throws IllegalArgumentException (400) for anything that is not one */
    private static ModelId modelId(Context ctx) {
        return ModelId.of(ctx.pathParam("id"));
    }

    /** The id when the catalog or the cache knows it; @throws UnknownModelException (404) otherwise */
    private ModelId requireKnown(ModelId id) {
        boolean known = resident(id).isPresent() || preloader.catalog().stream().anyMatch(d -> d.id().equals(id));
        if (!known) {
            throw new UnknownModelException(id);
        }
        return id;
    }

    private Optional<CacheSnapshot.Entry> resident(ModelId id) {
        return preloader.stats().cache().entries().stream()
                .filter(e -> e.id().equals(id) && e.state() == CacheSnapshot.State.RESIDENT)
                .findFirst();
    }
}
