package io.hive.preloader.core.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-3.1-8b-instruct.Q4_K_M", "qwen2:7b", "phi3+lora", "a"})
    void acceptsNamesModelsAreGiven(String name) {
        assertThat(ModelId.of(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "a/b", "a\\b", "/abs", "..", "x..y", ".hidden", "-flag", "sp ace", "nul\u0000", "é"})
    void refusesAnythingThatCouldNameAPath(String name) {
        assertThatThrownBy(() -> ModelId.of(name)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not allowed");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 129})
    void refusesEmptyAndOverlongIds(int length) {
        assertThatThrownBy(() -> ModelId.of("a".repeat(length))).isInstanceOf(IllegalArgumentException.class);
    }
}
