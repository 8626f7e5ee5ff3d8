package io.hive.preloader.adapters.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CudaIpcHandleTest {

    @Test
    void shouldRoundTripThroughItsText() {
        byte[] raw = new byte[64];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 7 - 100);
        }
        CudaIpcHandle handle = new CudaIpcHandle(3, 123456789L, raw);

        assertThat(CudaIpcHandle.parse(handle.toString())).isEqualTo(handle);
        assertThat(handle.toString()).startsWith("cuda-ipc:3:123456789:9ca3aab1");
    }

    @Test
    void shouldNotShareItsBytes() {
        byte[] raw = new byte[64];
        CudaIpcHandle handle = new CudaIpcHandle(0, 1, raw);
        raw[0] = 1;
        handle.handle()[1] = 1;

        assertThat(handle.handle()).containsOnly(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cuda-ipc:0:1:00", "host:0x7f@device0", "cuda-ipc:x:1:HEX", "cuda-ipc:0:1:BAD"})
    void shouldRefuseTextThatIsNotAHandle(String text) {
        String full = text.replace("HEX", "00".repeat(64)).replace("BAD", "zz".repeat(64));
        assertThatThrownBy(() -> CudaIpcHandle.parse(full)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a CUDA IPC handle");
    }
}
