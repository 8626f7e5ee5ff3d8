package io.hive.preloader.adapters.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings refuse what would make the server unsafe or unusable, with a message that never shows the token. */
class HttpSettingsTest {

    @Test
    void shouldDefaultToLoopbackAndNoToken() {
        HttpSettings d = HttpSettings.defaults();

        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(d.token()).isEmpty();
        assertThat(d.maxBodyBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void shouldRefuseAShortTokenWithoutPrintingIt() {
        assertThatThrownBy(() -> HttpSettings.defaults().withToken("hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too short (7 characters)")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> HttpSettings.defaults().withToken("has spaces in the middle of it"))
                .hasMessageContaining("printable ASCII without spaces");
    }

    @Test
    void shouldNeverPrintTheToken() {
        HttpSettings s = HttpSettings.defaults().withToken("a-long-enough-secret-token");

        assertThat(s.toString()).contains("token=<hidden>").doesNotContain("a-long-enough-secret-token");
    }

    @Test
    void shouldRefuseBadPortsBodiesAndTimeouts() {
        assertThatThrownBy(() -> HttpSettings.defaults().withPort(70000)).hasMessageContaining("not a TCP port");
        assertThatThrownBy(() -> HttpSettings.defaults().withMaxBodyBytes(0)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> HttpSettings.defaults().withShutdownTimeout(Duration.ofSeconds(-1))).hasMessageContaining("negative");
        assertThatThrownBy(() -> HttpSettings.defaults().withHost(" ")).hasMessageContaining("host is empty");
        assertThatThrownBy(() -> HttpSettings.defaults().withDefaultDevice(-1)).hasMessageContaining("numbered from 0");
    }

    @Test
    void shouldReadTheProcessMemoryFromTheStatusFile(@TempDir Path dir) throws IOException {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nVmSize:\t 4000 kB\nVmHWM:\t 3000 kB\nVmRSS:\t 2048 kB\n");
        ProcessMemoryMetrics metrics = new ProcessMemoryMetrics(status);

        assertThat(metrics.read("VmRSS")).isEqualTo(2048 * 1024.0);
        assertThat(metrics.read("VmSize")).isEqualTo(4000 * 1024.0);
        assertThat(metrics.read("VmSwap")).isNaN();
        assertThat(new ProcessMemoryMetrics(dir.resolve("absent")).read("VmRSS")).isNaN();
    }
}
