package io.hive.preloader.adapters.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket per client address that slows brute force, on a clock the test moves. */
class FailedAttemptsTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FailedAttempts attempts = new FailedAttempts(now::get);
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(FailedAttempts.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        log.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        log.removeHandler(capture);
    }

    @Test
    void shouldAllowABurstOfTenThenTenASecond() {
        for (int i = 0; i < FailedAttempts.BURST; i++) {
            assertThat(attempts.failed("10.0.0.1")).as("attempt %d", i + 1).isEmpty();
        }
        Optional<Duration> eleventh = attempts.failed("10.0.0.1");
        assertThat(eleventh).hasValueSatisfying(wait -> assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofMillis(100)));

        now.addAndGet(100 * MS);
        assertThat(attempts.failed("10.0.0.1")).as("one token back after 100 ms").isEmpty();
        assertThat(attempts.failed("10.0.0.1")).isPresent();

        now.addAndGet(1000 * MS);
        for (int i = 0; i < FailedAttempts.BURST; i++) {
            assertThat(attempts.failed("10.0.0.1")).as("a full bucket again after a quiet second").isEmpty();
        }
    }

    @Test
    void shouldCountEachClientOnItsOwn() {
        for (int i = 0; i <= FailedAttempts.BURST; i++) {
            attempts.failed("10.0.0.1");
        }
        assertThat(attempts.failed("10.0.0.1")).isPresent();
        assertThat(attempts.failed("10.0.0.2")).isEmpty();
    }

    @Test
    void shouldCountAnIpv6ClientByItsSlash64() {
        for (int i = 0; i < FailedAttempts.BURST; i++) {
            attempts.failed("[2001:db8:1:2::" + Integer.toHexString(i + 1) + "]");
        }
        assertThat(attempts.failed("2001:db8:1:2:ffff::1")).as("the same /64, another address").isPresent();
        assertThat(attempts.failed("2001:db8:1:3::1")).as("another /64").isEmpty();
        assertThat(FailedAttempts.clientOf("[::1]")).isEqualTo("00:00:00:00:00:00:00:00::/64");
        assertThat(FailedAttempts.clientOf("127.0.0.1")).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldLogOncePerBurst() {
        for (int i = 0; i < 50; i++) {
            attempts.failed("10.0.0.9");
            now.addAndGet(MS);
        }
        assertThat(logged).singleElement().asString().contains("10.0.0.9", "429");

        now.addAndGet(2000 * MS);
        for (int i = 0; i < 50; i++) {
            attempts.failed("10.0.0.9");
        }
        assertThat(logged).as("a new burst after a quiet spell").hasSize(2);
    }

    @Test
    void shouldStayBoundedUnderAFloodOfAddresses() {
        for (int i = 0; i < FailedAttempts.MAX_CLIENTS + 500; i++) {
            attempts.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        // The newcomers past the bound share one bucket, so a flood of addresses is limited as one client.
        long refused = java.util.stream.IntStream.range(0, 100).mapToObj(i -> attempts.failed("172.16.0." + i)).filter(Optional::isPresent).count();
        assertThat(refused).isGreaterThanOrEqualTo(80);

        // Once they are idle, room is made for new clients again.
        now.addAndGet(5000 * MS);
        assertThat(attempts.failed("192.168.1.1")).isEmpty();
        assertThat(attempts.failed("192.168.1.1")).isEmpty();
    }
}
