package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.port.AccessJournal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static io.hive.preloader.adapters.http.Fixture.ALPHA;
import static io.hive.preloader.adapters.http.Fixture.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Closing the server: stop accepting, let transfers finish or cancel them, and give back every lease and copy. */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    private Fixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.sink.release();
            f.close();
            assertThat(f.sink.liveAllocations()).as("device memory left allocated").isZero();
            assertThat(f.store.liveRegions()).isZero();
        }
    }

    private Fixture start(Duration shutdownTimeout) {
        f = new Fixture(dir, HttpSettings.defaults().withPort(0).withToken(Fixture.TOKEN).withShutdownTimeout(shutdownTimeout),
                AccessJournal.NONE);
        f.preload(ALPHA);
        return f;
    }

    @Test
    void shouldStopAcceptingAndLetAnInFlightTransferFinish() {
        start(Duration.ofSeconds(60));
        f.sink.hold();
        CompletableFuture<Client.Response> transfer = f.client.postAsync("/v1/models/alpha/transfer", "{}");
        await().until(() -> f.sink.waitingCopies() == 1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(f.server::close);
        await().untilAsserted(() -> assertThatThrownBy(() -> connect(f.server.port()))
                .as("new connections are refused while the transfer runs").isInstanceOf(ConnectException.class));
        assertThat(closing).isNotDone();
        assertThat(transfer).isNotDone();

        f.sink.release();
        Client.Response finished = transfer.join();
        closing.join();

        assertThat(finished.status()).as(finished.toString()).isEqualTo(201);
        assertThat(finished.json().get("bytes").asLong()).isEqualTo(3 * MIB);
        assertThat(f.sink.liveAllocations()).as("the copy the server held was freed when it closed").isZero();
    }

    @Test
    void shouldCancelATransferThatOutlastsTheTimeoutAndFreeItsDeviceMemory() {
        start(Duration.ofMillis(200));
        f.sink.hold();
        CompletableFuture<Client.Response> transfer = f.client.postAsync("/v1/models/alpha/transfer", "{}");
        await().until(() -> f.sink.waitingCopies() == 1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(f.server::close);
        await().until(f.server::cancellingTransfers);
        f.sink.release();
        closing.join();
        Client.Response cancelled = transfer.join();

        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(503);
        assertThat(cancelled.json().get("error").asText()).contains("cancelled").contains("shutting down");
        assertThat(f.sink.liveAllocations()).isZero();
    }

    @Test
    void shouldCloseTheLeasesAndCopiesItHolds() {
        start(Duration.ofSeconds(5));
        assertThat(f.client.post("/v1/models/alpha/handoff").status()).isEqualTo(201);
        assertThat(f.client.post("/v1/models/alpha/transfer", "{}").status()).isEqualTo(201);
        assertThat(leasesOnAlpha()).isEqualTo(1);
        assertThat(f.sink.liveAllocations()).isEqualTo(1);

        f.server.close();

        assertThat(leasesOnAlpha()).isZero();
        assertThat(f.sink.liveAllocations()).isZero();
        f.server.close();
    }

    @Test
    void shouldRefuseConnectionsOnceClosed() {
        start(Duration.ofSeconds(5));
        f.server.close();

        assertThatThrownBy(() -> f.client.post("/v1/models/beta/preload")).isInstanceOf(UncheckedIOException.class);
        assertThat(f.store.loads()).isEqualTo(1);
    }

    private int leasesOnAlpha() {
        return f.preloader.stats().cache().entries().stream().filter(e -> e.id().equals(ALPHA)).mapToInt(CacheSnapshot.Entry::leases).sum();
    }

    private static void connect(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write('x');
        }
    }
}
