package io.github.alpa4j.planner.cluster;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.cost.DeviceCost;
import java.util.EnumMap;
import java.util.Map;

/**
 * One accelerator: its peak FLOP/s per element type, its memory and its memory bandwidth, and what
 * an op costs on it ({@link DeviceCost}: rates measured by a profile, or a preset's stated
 * efficiencies). A dtype without an entry runs at the f32 rate (V100 has no bf16 units, for instance).
 */
public record GpuSpec(String name, Map<DType, Double> peakFlops, long memoryBytes, double memoryBandwidth, DeviceCost cost) {
    /** A device costed by its ideal roofline (every op at peak): for abstract devices in tests and what-if planning. */
    public GpuSpec(String name, Map<DType, Double> peakFlops, long memoryBytes, double memoryBandwidth) {
        this(name, peakFlops, memoryBytes, memoryBandwidth, DeviceCost.roofline(peakFlops, memoryBandwidth));
    }

    public GpuSpec {
        peakFlops = Map.copyOf(new EnumMap<>(peakFlops));
        if (!peakFlops.containsKey(DType.F32)) {
            throw new IllegalArgumentException(name + ": peak FLOP/s for f32 is required");
        }
        peakFlops.forEach((t, f) -> {
            if (!(f > 0) || Double.isInfinite(f)) {
                throw new IllegalArgumentException(name + ": peak FLOP/s for " + t.code() + " must be positive");
            }
        });
        if (memoryBytes <= 0 || !(memoryBandwidth > 0)) {
            throw new IllegalArgumentException(name + ": memory and memory bandwidth must be positive");
        }
        java.util.Objects.requireNonNull(cost, "cost");
    }

    /** Peak FLOP/s for arithmetic in {@code t}. */
    public double peakFlops(DType t) {
        return peakFlops.getOrDefault(t, peakFlops.get(DType.F32));
    }

    /** The same device costed by {@code c}. */
    public GpuSpec withCost(DeviceCost c) {
        return new GpuSpec(name, peakFlops, memoryBytes, memoryBandwidth, c);
    }

    public double memoryGiB() {
        return memoryBytes / (double) (1L << 30);
    }
}
