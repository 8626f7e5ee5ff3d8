package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.ModelStats;
import io.hive.preloader.core.service.PreloaderStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus view of the preloader. Counters and gauges read one {@link PreloaderStats} snapshot taken at the
 * start of each scrape (one call to the preloader, not one per meter); the histograms record the loads, lease opens
 * and transfers this server performed.
 *
 * <p>Every name passes {@code promtool check metrics}: base units only (bytes, seconds), so a speed is PromQL's
 * {@code rate()} of a byte counter over the matching time sum, never a metric of its own.
 */
final class PreloaderMetrics implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ModelPreloader preloader;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Set<ModelId> perModel = ConcurrentHashMap.newKeySet();
    private final Timer loadFromDisk;
    private final Timer openFromCache;
    private final Timer transferTime;
    private volatile PreloaderStats last;
    private volatile Map<ModelId, Long> accesses = Map.of();
    private volatile Map<ModelId, Long> residentBytes = Map.of();
    private volatile Transfer lastTransfer = new Transfer(Double.NaN, Double.NaN);

    /** The latest copy to a device; one volatile record, so a scrape never pairs one copy's bytes with another's time. */
    private record Transfer(double bytes, double seconds) {}

    PreloaderMetrics(ModelPreloader preloader) {
        this.preloader = preloader;
        this.last = preloader.stats();
        lintCleanJvmNames();

        counter("preloader.cache.hits", "Leases served from RAM (fast path)", s -> s.hits());
        counter("preloader.cache.misses", "Accesses that found the model not resident (slow path)", s -> s.misses());
        counter("preloader.evictions", "Models dropped from RAM to make room or on request", s -> s.cache().evictions());
        counter("preloader.disk.read", "Bytes loaded from model files into RAM", s -> s.bytesLoadedFromDisk(), BaseUnits.BYTES);
        counter("preloader.transfers", "Copies of models to a device", s -> s.transfers());
        counter("preloader.transfer", "Bytes copied to devices", s -> s.bytesTransferred(), BaseUnits.BYTES);

        gauge("preloader.cache.hit.ratio", "Hits over hits and misses since start", PreloaderStats::hitRate, null);
        gauge("preloader.resident", "Bytes of models resident in RAM", s -> s.cache().residentBytes(), BaseUnits.BYTES);
        gauge("preloader.used", "Bytes reserved in the budget (resident and loading)", s -> s.cache().usedBytes(), BaseUnits.BYTES);
        gauge("preloader.budget", "The RAM budget", s -> s.cache().budgetBytes(), BaseUnits.BYTES);
        if (last.storeReservedBytes().isPresent()) { // a store that rounds models up to whole pages says what they take
            gauge("preloader.store.reserved", "Bytes of RAM the store's resident models take as whole pages",
                    s -> s.storeReservedBytes().orElse(0), BaseUnits.BYTES);
        }
        gauge("preloader.models.resident", "Models resident in RAM",
                s -> s.cache().entries().stream().filter(e -> e.state() == CacheSnapshot.State.RESIDENT).count(), null);
        gauge("preloader.models.pinned", "Models pinned in RAM", s -> s.cache().entries().stream().filter(CacheSnapshot.Entry::pinned).count(), null);

        loadFromDisk = loadTimer("disk");
        openFromCache = loadTimer("cache");
        transferTime = Timer.builder("preloader.transfer.time").description("Time to copy a model to a device")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        Gauge.builder("preloader.transfer.last", this, m -> m.lastTransfer.bytes()).baseUnit(BaseUnits.BYTES)
                .description("Bytes of the latest copy to a device (NaN before the first)").register(registry);
        Gauge.builder("preloader.transfer.last.duration", this, m -> m.lastTransfer.seconds()).baseUnit("seconds")
                .description("Time the latest copy to a device took (NaN before the first)").register(registry);

        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new ProcessMemoryMetrics().bindTo(registry);
        new ProcessCpuMetrics().bindTo(registry);
        refresh();
    }

    /**
     * Micrometer's processor binder exports {@code process_cpu_time_ns_total} (a unit abbreviated, and not the base
     * one) and {@code system_cpu_count} (a gauge with a histogram's suffix); promtool flags both. The CPU time comes
     * back as {@code process_cpu_seconds_total} ({@link ProcessCpuMetrics}), the name Prometheus's own clients use.
     */
    private void lintCleanJvmNames() {
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
                    }
                });
    }

    private Timer loadTimer(String source) {
        return Timer.builder("preloader.load")
                .description("Time to make a model available: loaded from disk, or a lease opened on a resident copy")
                .tag("source", source)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    private void counter(String name, String description, java.util.function.ToLongFunction<PreloaderStats> value) {
        counter(name, description, value, null);
    }

    private void counter(String name, String description, java.util.function.ToLongFunction<PreloaderStats> value, String unit) {
        FunctionCounter.builder(name, this, m -> value.applyAsLong(m.last)).description(description).baseUnit(unit).register(registry);
    }

    private void gauge(String name, String description, java.util.function.ToDoubleFunction<PreloaderStats> value, String unit) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.last)).description(description).baseUnit(unit).register(registry);
    }

    /** A load this server saw end: from disk, or already resident (a lease on the RAM copy, counted as from cache). */
    void loaded(boolean fromDisk, Duration took) {
        (fromDisk ? loadFromDisk : openFromCache).record(took);
    }

    void transferred(long bytes, Duration took) {
        transferTime.record(took);
        lastTransfer = new Transfer(bytes, took.toNanos() / 1e9);
    }

    /** The Prometheus text exposition, from a fresh snapshot. */
    String scrape() {
        refresh();
        return registry.scrape();
    }

    private synchronized void refresh() {
        PreloaderStats stats = preloader.stats();
        Map<ModelId, Long> counts = new HashMap<>();
        for (ModelStats m : stats.models()) {
            counts.put(m.id(), m.accesses());
        }
        Map<ModelId, Long> resident = new HashMap<>();
        for (CacheSnapshot.Entry e : stats.cache().entries()) {
            resident.merge(e.id(), e.residentBytes(), Long::sum);
        }
        last = stats;
        accesses = counts;
        residentBytes = resident;
        counts.keySet().forEach(this::registerModel);
        resident.keySet().forEach(this::registerModel);
    }

    private void registerModel(ModelId id) {
        if (perModel.add(id)) {
            FunctionCounter.builder("preloader.model.accesses", this, m -> m.accesses.getOrDefault(id, 0L))
                    .description("Accesses of one model (with those restored from the access journal)")
                    .tag("model", id.value()).register(registry);
            Gauge.builder("preloader.model.resident", this, m -> m.residentBytes.getOrDefault(id, 0L))
                    .description("Bytes of one model resident in RAM").baseUnit(BaseUnits.BYTES)
                    .tag("model", id.value()).register(registry);
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
