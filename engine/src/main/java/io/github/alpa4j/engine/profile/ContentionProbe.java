package io.github.alpa4j.engine.profile;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cost.Contention;
import java.util.List;
import java.util.function.Consumer;

/** How devices that share a machine slow each other, as a profile measures it. */
final class ContentionProbe {
    private ContentionProbe() {
    }

    /** Pairs of measurements per busy count whose ratios' median is the contention factor. */
    static final int CONTENTION_PAIRS = 5;

    /**
     * How much slower a device runs a mid-size product and a mid-size add with b devices busy than with
     * all of the mesh's: devices that share a machine (CPU cores, or one GPU's SMs) slow each other. Each
     * factor is the median of {@value #CONTENTION_PAIRS} ratios of two measurements taken one after the
     * other (b busy, then all), so that a machine whose speed drifts (other jobs on the host) moves both
     * halves of a ratio together: single measurements put one busy device of four at 0.26-1.5 of all four
     * between profiles of one machine.
     */
    static Contention measure(Bench bench, List<Integer> busy, Consumer<String> tick) {
        MatmulOp.MatMul mm = new MatmulOp.MatMul(false, false);
        List<TensorType> mmIn = List.of(TensorType.f32(256, 256), TensorType.f32(256, 256));
        ElementwiseOp.Binary add = new ElementwiseOp.Binary(ElementwiseOp.BinaryKind.ADD);
        List<TensorType> addIn = List.of(TensorType.f32(1024, 256), TensorType.f32(1024, 256));
        int last = busy.size() - 1;
        int all = bench.opBusy();
        double[] compute = new double[busy.size()];
        double[] memory = new double[busy.size()];
        for (int i = 0; i <= last; i++) {
            if (busy.get(i) == all) {
                compute[i] = 1;
                memory[i] = 1;
                continue;
            }
            tick.accept("contention with " + busy.get(i) + " busy");
            double[] c = new double[CONTENTION_PAIRS];
            double[] m = new double[CONTENTION_PAIRS];
            for (int r = 0; r < CONTENTION_PAIRS; r++) {
                c[r] = bench.op(mm, mmIn, mm.infer(mmIn), busy.get(i)) / bench.op(mm, mmIn, mm.infer(mmIn), all);
                m[r] = bench.op(add, addIn, add.infer(addIn), busy.get(i)) / bench.op(add, addIn, add.infer(addIn), all);
            }
            compute[i] = median(c);
            memory[i] = median(m);
        }
        tick.accept("contention with " + all + " busy");
        return new Contention(all, busy.stream().mapToInt(Integer::intValue).toArray(), compute, memory);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}
