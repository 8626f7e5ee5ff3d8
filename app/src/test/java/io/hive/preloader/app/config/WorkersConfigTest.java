package io.hive.preloader.app.config;

import io.hive.preloader.core.port.ReadinessProbe;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code workers:} section: the only commands {@code serve}'s API may start, each checked on one line naming the key. */
class WorkersConfigTest {
    private static final Path FILE = Path.of("/etc/preloader/preloader.yaml");

    @Test
    void shouldNameNoWorkersByDefault() {
        assertThat(ConfigLoader.parse("", FILE).workers()).isEmpty();
        assertThat(ConfigLoader.parse("workers:", FILE).workers()).isEmpty();
    }

    @Test
    void shouldReadEachWorkerWithItsProbe() {
        PreloaderConfig config = ConfigLoader.parse("""
                workers:
                  llama-server: {command: ["llama-server", "-m", "{model}", "--port", 8080], ready_port: 8080, timeout: 120}
                  check:
                    command: [./check, "{model}"]
                  chat:
                    command: [./chat, --model, "{model}"]
                    ready_line: 'model loaded\\b'
                """, FILE);

        assertThat(config.workers().keySet()).containsExactly("llama-server", "check", "chat");
        PreloaderConfig.Worker llama = config.workers().get("llama-server");
        assertThat(llama.command()).containsExactly("llama-server", "-m", "{model}", "--port", "8080");
        assertThat(llama.probe()).isEqualTo(new ReadinessProbe.Port(8080));
        assertThat(llama.timeout()).isEqualTo(java.time.Duration.ofSeconds(120));
        PreloaderConfig.Worker check = config.workers().get("check");
        assertThat(check.probe()).as("ready_exit by default").isInstanceOf(ReadinessProbe.Exit.class);
        assertThat(check.timeout()).isEqualTo(java.time.Duration.ofSeconds(600));
        assertThat(((ReadinessProbe.Line) config.workers().get("chat").probe()).pattern().pattern()).isEqualTo("model loaded\\b");
        assertThat(config.withModels(List.of(Path.of("/srv/other"))).workers()).as("kept by with-methods").isEqualTo(config.workers());
    }

    @Test
    void shouldRefuseBadWorkersOnOneLineNamingTheKey() {
        String prefix = "config " + FILE + ": ";
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], port: 80}}", FILE))
                .hasMessage(prefix + "unknown key 'workers.w.port'; allowed keys under workers.w: command, ready_line, ready_port, ready_exit, timeout");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], ready_line: a, ready_port: 80}}", FILE))
                .hasMessage(prefix + "workers.w: use exactly one of ready_line, ready_port, ready_exit, found ready_line and ready_port");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], ready_line: '(('}}", FILE))
                .hasMessageStartingWith(prefix + "workers.w.ready_line: '((' is not a regular expression");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], ready_port: 70000}}", FILE))
                .hasMessage(prefix + "workers.w.ready_port: '70000' is not a TCP port (1 to 65535)");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], ready_exit: false}}", FILE))
                .hasMessageContaining("workers.w.ready_exit: false leaves nothing to wait for");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], ready_exit: maybe}}", FILE))
                .hasMessageContaining("workers.w.ready_exit: 'maybe' is not one of true, false");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: 'llama-server -m x'}}", FILE))
                .hasMessageContaining("workers.w.command: expected a list of arguments");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {ready_exit: true}}", FILE))
                .hasMessageContaining("workers.w.command: expected a list of arguments");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x, {model}]}}", FILE))
                .hasMessageContaining("workers.w.command[1]: expected text (quote \"{model}\"), found a mapping");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: {command: [x], timeout: 0}}", FILE))
                .hasMessageContaining("workers.w.timeout: '0' is not a number of seconds from 1 to 86400");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {'../w': {command: [x]}}", FILE))
                .hasMessage(prefix + "workers: '../w' is not a worker name (letters, digits, . _ -; at most 64)");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: [x]", FILE))
                .hasMessageContaining("workers: expected a mapping of worker names");
        assertThatThrownBy(() -> ConfigLoader.parse("workers: {w: [x]}", FILE))
                .hasMessageContaining("workers.w: expected a mapping with command");
    }
}
