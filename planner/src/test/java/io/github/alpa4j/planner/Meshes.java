package io.github.alpa4j.planner;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cluster.GpuSpec;
import io.github.alpa4j.planner.cluster.Link;
import java.util.Map;
import java.util.Random;

/** Meshes for tests: round numbers so that costs can be worked out by hand. */
public final class Meshes {
    /** 100 TFLOP/s f32, 16 GiB. */
    public static final GpuSpec GPU = new GpuSpec("test-gpu", Map.of(DType.F32, 1e14), 16L << 30, 1e12);

    private Meshes() {
    }

    /** α = 10 µs on both axes; β = 1 ns/byte on axis 1 and 10 ns/byte on axis 0 (inter-host, as Alpa's defaults). */
    public static DeviceMesh mesh(int rows, int cols) {
        return DeviceMesh.uniform(rows, cols, new Link(1e-5, 1e-8), new Link(1e-5, 1e-9), GPU);
    }

    /** A mesh of one of the shapes 1x2, 2x1, 1x4, 2x2, 2x4, 4x2 with random links. */
    public static DeviceMesh random(Random r) {
        int[][] shapes = {{1, 2}, {2, 1}, {1, 4}, {2, 2}, {2, 4}, {4, 2}};
        int[] s = shapes[r.nextInt(shapes.length)];
        return DeviceMesh.uniform(s[0], s[1], new Link(1e-6 * (1 + r.nextInt(20)), 1e-10 * (1 + r.nextInt(100))),
                new Link(1e-6 * (1 + r.nextInt(20)), 1e-10 * (1 + r.nextInt(100))), GPU);
    }
}
