package io.github.alpa4j.engine.collective;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.cuda.DeviceBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The same-GPU collectives' protocol (buffer exchange, ready and done events, scratch from the
 * pool) on emulated streams that run their work late and in arbitrary interleavings: only the
 * events order one stream after another. The GPU twin is {@code CudaCollectivesGpuTest}.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CudaCollectivesTest {
    static final long SEED = new Random().nextLong();

    @ParameterizedTest(name = "{0}x{1} mesh")
    @CsvSource({"2,2", "1,4", "4,1", "2,1"})
    void every_collective_matches_its_definition(int rows, int cols) throws Exception {
        MeshGroups mesh = new MeshGroups(rows, cols);
        try (HostDevices devices = new HostDevices(mesh.devices(), SEED, 300);
             CudaCollectives c = collectives(devices)) {
            new CollectiveScenario(devices, c, mesh, SEED).run(40);
        }
    }

    @Test
    void a_member_that_never_arrives_fails_the_others_with_a_reason() {
        try (HostDevices devices = new HostDevices(2, SEED, 0);
             CudaCollectives c = new CudaCollectives(java.util.List.of(devices.member(0), devices.member(1)), 1)) {
            DeviceBuffer b = devices.member(0).pool().allocate(16);
            DeviceGroup g = new DeviceGroup(new int[] {0, 1}, "axis0");
            assertThatThrownBy(() -> CompletableFuture.runAsync(() -> c.allReduce(g, 0, b, 4, Collectives.Reduction.SUM))
                    .get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class)
                    .hasMessageContaining("did not complete");
        }
    }

    static CudaCollectives collectives(CollectiveDevices devices) {
        java.util.List<CudaCollectives.Member> members = new java.util.ArrayList<>();
        for (int d = 0; d < devices.count(); d++) {
            members.add(devices.member(d));
        }
        return new CudaCollectives(members, 60);
    }
}
