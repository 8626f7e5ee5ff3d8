package io.hive.preloader.app;

import io.hive.preloader.app.AotTraining.Group;
import io.hive.preloader.app.AotTraining.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up caches' training workloads: each step ends as it must, and a step that does not is named. */
class AotTrainingTest {

    @TempDir
    Path work;

    @Test
    void shouldRunTheLightCommandsAsAnOperatorWould() throws IOException {
        List<Step> light = AotTraining.workload(Group.LIGHT, work);

        assertThat(light).extracting(step -> step.args().contains("status") || step.args().contains("inspect")).contains(true);
        assertThat(AotTraining.run(light)).isEmpty();
    }

    @Test
    void shouldRunTheCommandsThatLoadModelsThroughEveryStore() throws IOException {
        List<Step> load = AotTraining.workload(Group.LOAD, work);

        assertThat(load.stream().map(step -> String.join(" ", step.args())))
                .anyMatch(a -> a.contains("mmap.yaml preload")).anyMatch(a -> a.contains("buffer.yaml preload"))
                .anyMatch(a -> a.contains("hugepages.yaml preload")).anyMatch(a -> a.contains(" demo"));
        assertThat(AotTraining.run(load)).isEmpty();
    }

    @Test
    void shouldNameAStepThatEndsOtherwise() {
        List<String> failed = AotTraining.run(List.of(new Step(0, "inspect", work.resolve("absent.gguf").toString()), new Step(0, "--help")));

        assertThat(failed).containsExactly("'preloader inspect " + work.resolve("absent.gguf") + "' exited 2, not 0");
    }
}
