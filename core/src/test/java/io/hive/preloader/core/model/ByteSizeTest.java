package io.hive.preloader.core.model;

import io.hive.preloader.core.cache.ByteBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({"1073741824, 1073741824", "512MiB, 536870912", "8 GiB, 8589934592", "8GB, 8589934592", "1.5g, 1610612736", "4k, 4096"})
    void parsesBytesAndBinaryUnits(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "-5", "5 PB", "1e9"})
    void refusesWhatIsNotASize(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text)).hasMessageContaining("is not a byte size");
    }

    @Test
    void budgetsAreBytesUnitsOrAShareOfRam() {
        long ram = 64L << 30;
        assertThat(ByteBudget.parse("50%", ram).bytes()).isEqualTo(32L << 30);
        assertThat(ByteBudget.parse("24GiB", ram).bytes()).isEqualTo(24L << 30);
        assertThatThrownBy(() -> ByteBudget.parse("150%", ram)).hasMessageContaining("at most 100%");
        assertThatThrownBy(() -> ByteBudget.parse("0", ram)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ByteBudget.parse("half", ram)).hasMessageContaining("budget 'half' is neither a byte size");
    }

    @Test
    void formatsInBinaryUnits() {
        assertThat(ByteSize.format(1536)).isEqualTo("1.5 KiB");
        assertThat(ByteSize.format(100)).isEqualTo("100 B");
    }
}
