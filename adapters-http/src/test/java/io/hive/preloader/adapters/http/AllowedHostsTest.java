package io.hive.preloader.adapters.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which names in {@code Host} and {@code Origin} the server answers to: the rules against DNS rebinding. */
class AllowedHostsTest {
    private final AllowedHosts hosts = new AllowedHosts(List.of("preloader.preloader.svc", "Models.Internal"));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:7780", "10.1.2.3:80", "0.0.0.0:7780", "[::1]", "[::1]:7780", "::1", "[fe80::1]:7780",
            "[::ffff:127.0.0.1]:7780", "localhost", "localhost:7780", "LOCALHOST:7780", "preloader.preloader.svc", "preloader.preloader.svc:7780",
            "models.internal", "MODELS.internal:80", " 127.0.0.1:7780 "})
    void shouldAllowIpLiteralsLocalhostAndTheConfiguredNames(String host) {
        assertThat(hosts.allows(host)).as(host).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:7780", "localhost.", "localhost.evil.example", "127.0.0.1.evil.example",
            "127.0.0.1.nip.io:7780", "127.1", "2130706433", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5", "user@127.0.0.1", "[evil.example]",
            "[::1", "::1]:80", "", " ", ":7780", "preloader", "svc", "preloader.preloader.svc.evil.example", "*.internal"})
    void shouldRefuseEveryOtherName(String host) {
        assertThat(hosts.allows(host)).as(host).isFalse();
    }

    @Test
    void shouldTakeAnOriginOnlyWhenItIsThisServerAsTheClientAddressedIt() {
        assertThat(hosts.allowsOrigin("http://127.0.0.1:7780", "127.0.0.1:7780", "http")).isTrue();
        assertThat(hosts.allowsOrigin("http://LOCALHOST:7780", "localhost:7780", "http")).isTrue();
        assertThat(hosts.allowsOrigin("http://[::1]:7780", "[::1]:7780", "http")).isTrue();
        assertThat(hosts.allowsOrigin("https://preloader.preloader.svc", "preloader.preloader.svc:443", "https")).as("default port").isTrue();

        assertThat(hosts.allowsOrigin("http://evil.example:7780", "127.0.0.1:7780", "http")).isFalse();
        assertThat(hosts.allowsOrigin("http://127.0.0.1:8000", "127.0.0.1:7780", "http")).as("another port, another origin").isFalse();
        assertThat(hosts.allowsOrigin("http://localhost:7780", "127.0.0.1:7780", "http")).as("another name").isFalse();
        assertThat(hosts.allowsOrigin("https://127.0.0.1:7780", "127.0.0.1:7780", "http")).as("another scheme").isFalse();
        assertThat(hosts.allowsOrigin("http://127.0.0.1:7780", "127.0.0.1:7780", "https")).isFalse();
        assertThat(hosts.allowsOrigin("null", "127.0.0.1:7780", "http")).as("an opaque origin").isFalse();
        assertThat(hosts.allowsOrigin("http://127.0.0.1:7780/page", "127.0.0.1:7780", "http")).isFalse();
        assertThat(hosts.allowsOrigin("http://evil.example:7780", "evil.example:7780", "http")).as("a rebinding page's own origin").isFalse();
    }

    @Test
    void shouldRefuseAConfiguredEntryThatIsNotAHostName() {
        for (String bad : List.of("*.example", "http://x", "x:80", "", "a b", "-x.example")) {
            assertThatThrownBy(() -> new AllowedHosts(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a host name");
        }
    }
}
