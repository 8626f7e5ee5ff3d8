package io.hive.preloader.adapters.http;

import java.time.Duration;
import java.util.List;

import static io.hive.preloader.adapters.http.Route.get;

/** The last minutes, as the sampler recorded them: what the page's charts draw. A read of the ring, never a sample. */
record HistoryResource(StatsHistory history, Duration every) implements Resource {
    /**
     * {@code GET /v1/history}.
     *
     * @param intervalSeconds how often a sample is taken
     * @param windowSeconds   how far back the history reaches once full
     * @param points          oldest first
     */
    record View(double intervalSeconds, double windowSeconds, List<StatsHistory.Point> points) {
    }

    @Override
    public List<Route> routes() {
        return List.of(get("/v1/history", ctx -> ctx.json(new View(Units.seconds(every),
                Units.seconds(every.multipliedBy(history.capacity())), history.points()))));
    }
}
