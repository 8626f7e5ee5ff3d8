package io.hive.preloader.adapters.http;

import org.eclipse.jetty.http.BadMessageException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The minimum body rate judges a body only while it is still arriving, on a clock the test moves. */
class RequestBodyTest {
    private static final long MS = 1_000_000;

    /** A body arriving in pieces, each read only once the clock has moved on by its delay. */
    private static final class Arriving extends InputStream {
        private final Deque<byte[]> pieces = new ArrayDeque<>();
        private final Deque<Long> delays = new ArrayDeque<>();
        long now;

        Arriving then(long delayNanos, String piece) {
            delays.add(delayNanos);
            pieces.add(piece.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (pieces.isEmpty()) {
                now += delays.isEmpty() ? 0 : delays.poll(); // the end of the body, found this much later
                return -1;
            }
            now += delays.poll();
            byte[] piece = pieces.poll();
            System.arraycopy(piece, 0, into, offset, piece.length);
            return piece.length;
        }
    }

    private static String read(Arriving in, long declared) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        RequestBody.copy(in, declared, 64 << 10, body, () -> in.now);
        return body.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldReadASmallBodyWhoseEndIsReadLongAfterItArrived() throws IOException {
        // The whole body came at once; the reader reached its end only 5 s later (a busy host, a long GC pause).
        Arriving in = new Arriving().then(0, "{\"device\": 0}");
        in.delays.add(5_000 * MS);

        assertThat(read(in, -1)).isEqualTo("{\"device\": 0}");
    }

    @Test
    void shouldReadASmallBodyWhoseSecondHalfCameAMomentLater() throws IOException {
        Arriving in = new Arriving().then(0, "{\"device\"").then(300 * MS, ": 0}");

        assertThat(read(in, 13)).isEqualTo("{\"device\": 0}");
        assertThat(read(new Arriving().then(0, "{\"device\"").then(900 * MS, ": 0}"), -1)).isEqualTo("{\"device\": 0}");
    }

    @Test
    void shouldRefuseABodyStillArrivingSlowerThanTheMinimumRateWith408() {
        Arriving in = new Arriving();
        for (int i = 0; i < 20; i++) {
            in.then(200 * MS, "          ");
        }

        assertThatThrownBy(() -> read(in, 4000)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(408))
                .hasMessageStartingWith("request body arrived slower than 1024 bytes a second (60 bytes in 1200 ms)");
    }

    @Test
    void shouldRefuseABodyPastTheLimitWith413() {
        Arriving in = new Arriving();
        for (int i = 0; i < 10; i++) {
            in.then(0, "x".repeat(8000));
        }

        assertThatThrownBy(() -> read(in, -1)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessage("request body is larger than the limit of 65536 bytes");
    }

    @Test
    void shouldAnswerJettysRefusalsWithTheirOwnStatus() {
        for (int status : List.of(400, 408, 413)) {
            assertThat(Errors.answer(new BadMessageException(status, "refused by Jetty")))
                    .isEqualTo(new Errors.Answer(status, "refused by Jetty"));
        }
        assertThat(Errors.answer(new BadMessageException(408)).status()).isEqualTo(408);
    }
}
