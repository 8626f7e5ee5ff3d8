package io.hive.preloader.app.memory;

import io.hive.preloader.adapters.buffer.BufferRamStore;
import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.fs.ProcMeminfo;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.MemoryPressureGuard;
import io.hive.preloader.core.service.ModelPreloader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory guard's figure with real stores, over fakes of /proc/meminfo and of the cgroup v2 files: the mmap
 * store's models are page cache that MemAvailable already counts, the buffer store's are not, and a cgroup limit
 * bounds both.
 */
class MemoryGuardOverRealStoresTest {
    static final long MiB = 1024 * 1024;
    static final long RESERVE = 4 * MiB;
    static final ByteBudget CONFIGURED = new ByteBudget(1024 * MiB);

    @TempDir
    Path dir;
    Path models;
    Path meminfo;
    Path cgroupRoot;
    Path procSelfCgroup;

    @BeforeEach
    void files() throws IOException {
        models = Files.createDirectory(dir.resolve("models"));
        byte[] bytes = new byte[(int) (24 * MiB)];
        new Random(7).nextBytes(bytes);
        Files.write(models.resolve("model.gguf"), bytes);
        meminfo = dir.resolve("meminfo");
        cgroupRoot = Files.createDirectories(dir.resolve("cgroup"));
        procSelfCgroup = Files.writeString(dir.resolve("self-cgroup"), "0::/preloader.service\n");
        Files.createDirectories(cgroupRoot.resolve("preloader.service"));
        available(40 * MiB);
        cgroup("max", 0);
    }

    void available(long bytes) throws IOException {
        Files.writeString(meminfo, "MemTotal: 8388608 kB\nMemFree: 1024 kB\nMemAvailable: " + bytes / 1024 + " kB\n");
    }

    void cgroup(String max, long current) throws IOException {
        Files.writeString(cgroupRoot.resolve("preloader.service/memory.max"), max + "\n");
        Files.writeString(cgroupRoot.resolve("preloader.service/memory.current"), current + "\n");
    }

    long checked(RamStore store) throws Exception {
        ProcMeminfo host = new ProcMeminfo(meminfo, dir.resolve("no-psi"), procSelfCgroup, cgroupRoot);
        try (ModelPreloader p = ModelPreloader.builder().source(new FolderModelSource(models)).store(store).budget(CONFIGURED).build();
             MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, CONFIGURED, RESERVE)) {
            p.preload(ModelId.of("model")).get(30, TimeUnit.SECONDS);
            assertThat(p.usedBytes()).isEqualTo(24 * MiB);
            return guard.check().bytes();
        }
    }

    @Test
    void theMmapStoresModelsAreCountedOnceInMemAvailable() throws Exception {
        assertThat(new MmapRamStore().memory()).isEqualTo(RamStore.Memory.PAGE_CACHE);
        // 40 MiB available, the 24 MiB model's pages among them: 36 fit beside the reserve, not 24 + 40 - 4 = 60.
        assertThat(checked(new MmapRamStore())).isEqualTo(40 * MiB - RESERVE);
    }

    @Test
    void lockedOrPrivateCopiesAreNotInMemAvailable() throws Exception {
        assertThat(new MmapRamStore(true).memory()).isEqualTo(RamStore.Memory.PRIVATE);
        assertThat(checked(new BufferRamStore(false))).isEqualTo(24 * MiB + 40 * MiB - RESERVE);
    }

    @Test
    void aCgroupLimitBoundsTheBudgetWhateverTheHostHas() throws Exception {
        available(4096 * MiB);
        cgroup(String.valueOf(100 * MiB), 90 * MiB); // the cgroup may take 10 MiB more beside the model it holds

        assertThat(checked(new MmapRamStore())).isEqualTo(24 * MiB + 10 * MiB - RESERVE);
        assertThat(checked(new BufferRamStore(false))).isEqualTo(24 * MiB + 10 * MiB - RESERVE);
    }
}
