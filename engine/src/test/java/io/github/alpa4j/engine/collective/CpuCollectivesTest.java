package io.github.alpa4j.engine.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class CpuCollectivesTest {
    final CpuCollectives c = new CpuCollectives(10);

    /** Runs {@code body} on one thread per device and returns each device's result. */
    static List<float[]> spmd(int devices, IntFunction<float[]> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(devices);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                int dev = d;
                fs.add(pool.submit(() -> body.apply(dev)));
            }
            List<float[]> out = new ArrayList<>();
            for (Future<float[]> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static float[] values(int device, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = device * 100 + i;
        }
        return x;
    }

    @Test
    void allReduceSumsOverTheGroupOnly() throws Exception {
        // 4 devices as a 2x2 mesh; groups along axis 1 are {0,1} and {2,3}
        List<float[]> out = spmd(4, d -> {
            DeviceGroup g = new DeviceGroup(d < 2 ? new int[] {0, 1} : new int[] {2, 3}, "axis1");
            float[] x = values(d, 3);
            for (int rep = 0; rep < 5; rep++) { // repeated use of one group must not mix up rounds
                x = values(d, 3);
                c.allReduce(g, d, x, 3, Collectives.Reduction.SUM);
            }
            return x;
        });
        assertThat(out.get(0)).containsExactly(100, 102, 104);
        assertThat(out.get(1)).containsExactly(100, 102, 104);
        assertThat(out.get(2)).containsExactly(500, 502, 504);
        assertThat(out.get(3)).containsExactly(500, 502, 504);
    }

    @Test
    void allReduceMaxTakesTheLargest() throws Exception {
        DeviceGroup g = new DeviceGroup(new int[] {0, 1, 2}, "g");
        List<float[]> out = spmd(3, d -> {
            float[] x = {d == 1 ? 5 : -1, -d};
            c.allReduce(g, d, x, 2, Collectives.Reduction.MAX);
            return x;
        });
        for (float[] o : out) {
            assertThat(o).containsExactly(5, 0);
        }
    }

    @Test
    void allGatherConcatenatesInRankOrder() throws Exception {
        DeviceGroup g = new DeviceGroup(new int[] {2, 0, 1}, "g");
        List<float[]> out = spmd(3, d -> {
            float[] o = new float[6];
            c.allGather(g, d, values(d, 2), 2, o);
            return o;
        });
        for (float[] o : out) {
            assertThat(o).containsExactly(200, 201, 0, 1, 100, 101);
        }
    }

    @Test
    void reduceScatterGivesEachRankItsChunkOfTheSum() throws Exception {
        DeviceGroup g = new DeviceGroup(new int[] {0, 1}, "g");
        List<float[]> out = spmd(2, d -> {
            float[] o = new float[2];
            c.reduceScatter(g, d, values(d, 4), 2, o);
            return o;
        });
        assertThat(out.get(0)).containsExactly(100, 102);
        assertThat(out.get(1)).containsExactly(104, 106);
    }

    @Test
    void allToAllTransposesChunks() throws Exception {
        DeviceGroup g = new DeviceGroup(new int[] {0, 1, 2}, "g");
        List<float[]> out = spmd(3, d -> {
            float[] o = new float[3];
            c.allToAll(g, d, values(d, 3), 1, o);
            return o;
        });
        assertThat(out.get(0)).containsExactly(0, 100, 200);
        assertThat(out.get(2)).containsExactly(2, 102, 202);
    }

    @Test
    void broadcastAndSendRecv() throws Exception {
        DeviceGroup g = new DeviceGroup(new int[] {0, 1, 2}, "g");
        List<float[]> out = spmd(3, d -> {
            float[] x = values(d, 2);
            c.broadcast(g, d, 1, x, 2);
            if (d == 0) {
                c.send(0, 2, new float[] {7, 8}, 2);
            } else if (d == 2) {
                float[] r = new float[2];
                c.recv(2, 0, r, 2);
                return r;
            }
            return x;
        });
        assertThat(out.get(0)).containsExactly(100, 101);
        assertThat(out.get(1)).containsExactly(100, 101);
        assertThat(out.get(2)).containsExactly(7, 8);
    }

    @Test
    void mismatchedCollectivesAreDetectedNotHung() {
        DeviceGroup g = new DeviceGroup(new int[] {0, 1}, "g");
        assertThatThrownBy(() -> spmd(2, d -> {
            float[] x = new float[4];
            c.allReduce(g, d, x, d == 0 ? 4 : 2, Collectives.Reduction.SUM);
            return x;
        })).isInstanceOf(ExecutionException.class).hasMessageContaining("collective mismatch");
    }

    @Test
    void aMissingMemberTimesOutWithAClearError() {
        CpuCollectives quick = new CpuCollectives(1);
        DeviceGroup g = new DeviceGroup(new int[] {0, 1}, "axis0");
        assertThatThrownBy(() -> quick.allReduce(g, 0, new float[1], 1, Collectives.Reduction.SUM))
                .hasMessageContaining("did not complete").hasMessageContaining("axis0");
    }
}
