package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cluster.GpuSpec;
import io.github.alpa4j.planner.cluster.Link;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What the engine's GPU tests share: skipping with the probe's reason where there is no GPU, the
 * comparison of loss curves, and one line per measured number for {@code scripts/gpu-check.sh}.
 */
final class GpuCheck {
    private GpuCheck() {
    }

    static void assumeGpu() {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        for (CudaLibrary lib : List.of(CudaLibrary.CUBLAS, CudaLibrary.NVRTC)) {
            Assumptions.assumeTrue(r.has(lib), () -> "needs " + lib.label() + ": " + r.library(lib).detail());
        }
    }

    /** The largest |got − want| / |want| over the steps. */
    static double maxRelativeDifference(List<Double> got, List<Double> want) {
        if (got.size() != want.size()) {
            throw new IllegalArgumentException(got.size() + " losses against " + want.size());
        }
        double worst = 0;
        for (int s = 0; s < want.size(); s++) {
            double d = Math.abs(got.get(s) - want.get(s)) / Math.abs(want.get(s));
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst;
    }

    /** Prints {@code GPUCHECK|check|key|value}, which gpu-check.sh gathers into its table. */
    static void report(String check, String key, Object value) {
        String v = value instanceof Double d ? String.format(Locale.ROOT, "%.3g", d) : String.valueOf(value);
        System.out.println("GPUCHECK|" + check + "|" + key + "|" + v);
    }

    /**
     * A rows × cols mesh of logical devices on one H100-class GPU, as the planner sees it: each an
     * equal share of the GPU's compute and memory, linked by device-to-device copies (a copy reads
     * and writes, so about half the memory bandwidth, shared by the devices).
     */
    static DeviceMesh oneGpuMesh(int rows, int cols) {
        int n = rows * cols;
        GpuSpec share = new GpuSpec("H100 / " + n, Map.of(DType.F32, 67e12 / n, DType.BF16, 790e12 / n), (80L << 30) / n, 3.0e12 / n);
        Link copy = Link.of(10, 1500.0 / n);
        return DeviceMesh.uniform(rows, cols, copy, copy, share);
    }
}
