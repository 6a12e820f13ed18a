package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.Collectives.Reduction;
import io.github.alpa4j.engine.collective.DeviceGroup;
import io.github.alpa4j.engine.lower.Instruction;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;

/**
 * Megatron's vocabulary-parallel cross entropy on one device: local row statistics (maxima, sums of
 * exponentials, target logits) all-reduced over the vocabulary's mesh axes between local kernels,
 * then the local loss or gradient.
 */
final class VocabParallelCrossEntropy<F, I> {
    private final DeviceExecutor<F, I> dev;
    private final Backend<F, I> backend;
    private final Collectives<F> collectives;

    VocabParallelCrossEntropy(DeviceExecutor<F, I> dev, Backend<F, I> backend, Collectives<F> collectives) {
        this.dev = dev;
        this.backend = backend;
        this.collectives = collectives;
    }

    @SuppressWarnings("unchecked")
    void run(Instruction.VocabCrossEntropy v) {
        Kernels<F, I> k = backend.kernels();
        F out = (F) dev.output(v.out());
        int rows = Math.toIntExact(v.rows());
        int n = v.localVocab();
        DeviceGroup g = dev.groupOf(v.vocabAxes());
        TensorType rowType = TensorType.f32(rows);
        F max = (F) backend.allocate(rowType);
        F sum = (F) backend.allocate(rowType);
        F logits = (F) dev.slot(v.logits());
        I labels = (I) dev.slot(v.labels());
        k.rowMax(logits, max, rows, n);
        allReduce(g, max, rows, Reduction.MAX, v, rowType);
        k.rowSumExp(logits, max, sum, rows, n);
        allReduce(g, sum, rows, Reduction.SUM, v, rowType);
        int vocabStart = g.rankOf(dev.device) * n;
        float inv = (float) (1.0 / v.meanCount());
        if (v.gradient()) {
            k.crossEntropyGradFromStats(logits, labels, max, sum, (F) dev.slot(v.dloss()), out, rows, n, vocabStart, inv);
        } else {
            F target = (F) backend.allocate(rowType);
            k.pickTarget(logits, labels, target, rows, n, vocabStart);
            allReduce(g, target, rows, Reduction.SUM, v, rowType);
            k.crossEntropyFromStats(max, sum, target, out, rows, inv);
            backend.free(target);
        }
        backend.free(max);
        backend.free(sum);
    }

    private void allReduce(DeviceGroup g, F buf, int rows, Reduction op, Instruction.VocabCrossEntropy v, TensorType rowType) {
        long t0 = System.nanoTime();
        collectives.allReduce(g, dev.device, buf, rows, op);
        dev.recordCollective(CollectiveKind.ALL_REDUCE, v.vocabAxes(), rowType.bytes(), t0);
    }
}
