package io.hive.preloader.app.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code http:} section: how {@code serve} listens, checked like every other key, the token never echoed. */
class HttpConfigTest {
    private static final Path FILE = Path.of("/etc/preloader/preloader.yaml");

    @Test
    void shouldDefaultToLoopbackWithoutAToken() {
        HttpConfig http = ConfigLoader.parse("", FILE).http();

        assertThat(http).isEqualTo(PreloaderConfig.defaults().http());
        assertThat(http.host()).isEqualTo("127.0.0.1");
        assertThat(http.port()).isEqualTo(7780);
        assertThat(http.token()).isEmpty();
    }

    @Test
    void shouldReadEveryKey() {
        PreloaderConfig config = ConfigLoader.parse("""
                http:
                  host: 0.0.0.0
                  port: 0
                  token: "0123456789abcdef-long-enough"
                  max_body: 16KiB
                  shutdown_timeout: 5
                """, FILE);

        assertThat(config.http()).isEqualTo(HttpConfigBuilder.builder().host("0.0.0.0").port(0)
                .token(Optional.of("0123456789abcdef-long-enough")).maxBody(16 * 1024L).shutdownTimeout(Duration.ofSeconds(5)).build());
        assertThat(config.http().toString()).doesNotContain("0123456789abcdef-long-enough");
        assertThat(config.withModels(java.util.List.of(Path.of("/srv/other"))).http()).as("kept by with-methods").isEqualTo(config.http());
    }

    @Test
    void shouldRefuseBadValuesOnOneLineWithoutEchoingTheToken() {
        assertThatThrownBy(() -> ConfigLoader.parse("http: {port: 70000}", FILE))
                .hasMessage("config " + FILE + ": http.port: '70000' is not a TCP port (0 to 65535; 0 picks a free one)");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {token: hunter2}", FILE))
                .hasMessageContaining("http.token: use at least 16 printable characters").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {token: 12345678901234567890}", FILE))
                .hasMessageContaining("http.token: expected text (quote it)").hasMessageNotContaining("1234567890");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {max_body: 1GiB}", FILE)).hasMessageContaining("http.max_body: '1GiB' is not a size");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {shutdown_timeout: -1}", FILE)).hasMessageContaining("http.shutdown_timeout");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {host: 'a b'}", FILE)).hasMessageContaining("http.host: 'a b' is not an address");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {bind: x}", FILE))
                .hasMessageContaining("unknown key 'http.bind'; allowed keys under http: host, port, token, read_token, max_body, "
                        + "shutdown_timeout, metrics_public, allowed_hosts, tls");
    }

    @Test
    void shouldReadWhatIsShownWithoutTheAdminTokenAndTheTlsFiles() {
        HttpConfig http = ConfigLoader.parse("""
                http:
                  token: "0123456789abcdef-long-enough"
                  read_token: "read-0123456789abcdef"
                  metrics_public: false
                  allowed_hosts: [preloader.preloader.svc, Models.Internal]
                  tls: {cert: tls/server.crt, key: /etc/preloader/server.key}
                """, FILE).http();

        assertThat(http.readToken()).hasValue("read-0123456789abcdef");
        assertThat(http.metricsPublic()).isFalse();
        assertThat(http.allowedHosts()).containsExactly("preloader.preloader.svc", "models.internal");
        assertThat(http.tls()).hasValue(HttpConfig.Tls.pem(Path.of("/etc/preloader/tls/server.crt"), Path.of("/etc/preloader/server.key")));
        assertThat(http.toString()).doesNotContain("read-0123456789abcdef");

        HttpConfig keystore = ConfigLoader.parse("http: {tls: {keystore: server.p12, password: \"secret-pw\"}}", FILE).http();
        assertThat(keystore.tls()).hasValue(HttpConfig.Tls.keystore(Path.of("/etc/preloader/server.p12"), "secret-pw"));
        assertThat(keystore.toString()).doesNotContain("secret-pw");
        assertThat(ConfigLoader.parse("", FILE).http().metricsPublic()).as("Prometheus scrapes without a token by default").isTrue();
    }

    @Test
    void shouldRefuseBadSecurityKeysOnOneLineWithoutEchoingSecrets() {
        assertThatThrownBy(() -> ConfigLoader.parse("http: {read_token: short}", FILE))
                .hasMessageContaining("http.read_token: use at least 16 printable characters").hasMessageNotContaining("short");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {token: \"same-0123456789abcdef\", read_token: \"same-0123456789abcdef\"}", FILE))
                .hasMessageContaining("http.read_token: it is the same as token").hasMessageNotContaining("same-0123456789abcdef");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {allowed_hosts: ['*.example']}", FILE))
                .hasMessageContaining("http.allowed_hosts: '*.example' is not a host name");
        assertThat(ConfigLoader.parse("http: {allowed_hosts: preloader}", FILE).http().allowedHosts()).as("one name").containsExactly("preloader");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {allowed_hosts: {a: b}}", FILE)).hasMessageContaining("http.allowed_hosts");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {metrics_public: maybe}", FILE)).hasMessageContaining("http.metrics_public");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {tls: {cert: a.crt}}", FILE)).hasMessageContaining("http.tls: give cert and key");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {tls: {cert: a.crt, key: a.key, keystore: a.p12}}", FILE))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {tls: {keystore: a.p12, password: 12345}}", FILE))
                .hasMessageContaining("http.tls.password: expected text").hasMessageNotContaining("12345");
        assertThatThrownBy(() -> ConfigLoader.parse("http: {tls: {cert: a.crt, key: a.key, pem: a}}", FILE)).hasMessageContaining("unknown key 'http.tls.pem'");
    }
}
