package io.github.alpa4j.planner.cost;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one op costs on one device: a matrix product the larger of its FLOPs over the rate the device
 * achieves for its shape and element type and its bytes over its family's bandwidth; any other op its
 * bytes over its family's bandwidth; each plus its family's fixed cost per op. Reshapes (aliases) and
 * variables, inputs and the like (no work) cost nothing.
 *
 * @param matmul     achieved matmul rates per element type of the operands; a type without an entry runs at the f32 rates
 * @param families   every family's fixed cost and bandwidth
 * @param ops        fixed cost and bandwidth of single ops by {@link Op#opName()} where a profile measured them (a GELU
 *                   and an add differ more than two families do); others take their family's
 * @param contention how devices sharing the machine slow each other (a profile of simulated or logical devices); null
 *                   for devices that have their machine to themselves
 * @param basis      where the numbers come from: a profile (machine, date) or the assumptions of a preset
 */
public record DeviceCost(Map<DType, MatmulRates> matmul, Map<OpFamily, Throughput> families, Map<String, Throughput> ops,
                         Contention contention, String basis) {
    public DeviceCost {
        matmul = Map.copyOf(new EnumMap<>(matmul));
        families = Map.copyOf(new EnumMap<>(families));
        ops = Map.copyOf(ops);
        if (!matmul.containsKey(DType.F32)) {
            throw new IllegalArgumentException(basis + ": matmul rates for f32 are required");
        }
        for (OpFamily f : OpFamily.values()) {
            if (!families.containsKey(f)) {
                throw new IllegalArgumentException(basis + ": no throughput for the " + f.code() + " family");
            }
        }
    }

    /**
     * The ideal roofline of a device with these peaks and this memory bandwidth: every product at its
     * peak, every byte at full bandwidth, no fixed cost. For abstract devices (tests, what-if
     * planning); presets and cluster files state their efficiencies instead.
     */
    public static DeviceCost roofline(Map<DType, Double> peakFlops, double memoryBandwidth) {
        return assumed(peakFlops, memoryBandwidth, 1, 0, 1, 0, "ideal roofline (100 % of peak, no fixed cost)");
    }

    /**
     * Assumed efficiencies: products reach {@code matmulEfficiency} of the peak as they grow, half of that
     * at {@code halfWorkFlops}; memory-bound ops move bytes at {@code memoryEfficiency} of the bandwidth;
     * every op pays {@code overheadSeconds}.
     */
    public static DeviceCost assumed(Map<DType, Double> peakFlops, double memoryBandwidth, double matmulEfficiency,
                                     double halfWorkFlops, double memoryEfficiency, double overheadSeconds, String basis) {
        Map<DType, MatmulRates> rates = new EnumMap<>(DType.class);
        peakFlops.forEach((t, peak) -> rates.put(t, new MatmulRates.Saturating(peak, matmulEfficiency, halfWorkFlops)));
        Map<OpFamily, Throughput> families = new EnumMap<>(OpFamily.class);
        for (OpFamily f : OpFamily.values()) {
            families.put(f, new Throughput(overheadSeconds, memoryBandwidth * memoryEfficiency));
        }
        return new DeviceCost(rates, families, Map.of(), null, basis);
    }

    /**
     * This device when {@code devices} devices of its machine work at once (every device of a mesh, or of
     * every stage of a pipeline): rates scaled by the contention measured against the profile's own count;
     * beyond the machine's {@link Contention#saturation() saturation} the devices take turns.
     */
    public DeviceCost whenBusy(int devices) {
        if (contention == null) {
            return this;
        }
        double c = contention.computeFactor(devices);
        double m = contention.memoryFactor(devices);
        if (c == 1 && m == 1) {
            return this;
        }
        Map<DType, MatmulRates> rates = new EnumMap<>(DType.class);
        matmul.forEach((t, r) -> rates.put(t, new MatmulRates.Scaled(r, 1 / c)));
        Map<OpFamily, Throughput> f = new EnumMap<>(OpFamily.class);
        families.forEach((k, t) -> f.put(k, t.slower(m)));
        Map<String, Throughput> o = new java.util.HashMap<>();
        ops.forEach((k, t) -> o.put(k, t.slower(m)));
        return new DeviceCost(rates, f, o, null, basis + ", " + devices + " devices busy");
    }

    /** How many of the machine's devices run at full speed at once: its contention's saturation; unbounded without contention. */
    public int saturation() {
        return contention == null ? Integer.MAX_VALUE : contention.saturation();
    }

    public Throughput throughput(OpFamily f) {
        return families.get(f);
    }

    /** The throughput {@code op} runs at: its own where measured, else its family's. */
    public Throughput throughput(Op op) {
        return ops.getOrDefault(op.opName(), families.get(OpFamily.of(op)));
    }

    /**
     * The throughput {@code op} runs at on these inputs: that of its {@link #key(Op, List) variant} where measured,
     * else its own, else its family's.
     */
    public Throughput throughput(Op op, List<TensorType> in) {
        Throughput t = ops.get(key(op, in));
        return t != null ? t : throughput(op);
    }

    /**
     * The name a profile measures {@code op} under on these inputs: its IR name, and for a binary element-wise op
     * whose operands differ in shape (a bias added to every row) {@code name:broadcast}: on the CPU a bias add of
     * 256 x 256 floats took 36 us against 5 us for the add of two full tensors of that size.
     */
    public static String key(Op op, List<TensorType> in) {
        if (op instanceof io.github.alpa4j.ir.ElementwiseOp.Binary && in.size() == 2 && !in.get(0).shape().equals(in.get(1).shape())) {
            return op.opName() + ":broadcast";
        }
        return op.opName();
    }

    public MatmulRates matmulRates(DType t) {
        return matmul.getOrDefault(t, matmul.get(DType.F32));
    }

    /** Seconds {@code op} takes on this device for these (local) input and output types. */
    public double seconds(Op op, List<TensorType> in, TensorType out) {
        if (op instanceof LayoutOp.Reshape || op instanceof SourceOp && !(op instanceof SourceOp.Constant)) {
            return 0;
        }
        Throughput t = throughput(op, in);
        double memory = t.seconds(op.bytesRead(in) + op.bytesWritten(out));
        if (op instanceof MatmulOp.MatMul mm) {
            long m = mm.m(in);
            long batch = mm.batch(in);
            if (mm.broadcastsB(in)) {
                m *= batch; // one tall product against the shared B
                batch = 1;
            }
            double rate = matmulRates(in.get(0).dtype()).flopsPerSecond(m, mm.n(in), mm.k(in), batch);
            return Math.max(t.overheadSeconds() + op.flops(in, out) / rate, memory);
        }
        return memory;
    }
}
