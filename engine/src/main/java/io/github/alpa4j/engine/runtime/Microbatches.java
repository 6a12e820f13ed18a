package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.lower.Instruction;
import io.github.alpa4j.engine.lower.PipelineProgram;
import io.github.alpa4j.engine.lower.StageProgram;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.autodiff.Autodiff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data loader's side of a pipeline: the whole batch cut along its first dimension into the microbatches
 * the stages load; a scalar input (the loss scale) is the step's, read by every microbatch.
 */
final class Microbatches {
    private Microbatches() {
    }

    /** Each microbatch's inputs by name, for every input some stage loads; refuses a batch of the wrong size or type. */
    static List<Map<String, Tensor>> split(PipelineProgram program, Map<String, Tensor> feeds) {
        int microbatches = program.microbatches();
        Map<String, TensorType> wanted = new LinkedHashMap<>();
        for (StageProgram st : program.stages()) {
            for (Instruction ins : st.devices().getFirst().forward().receive()) {
                if (ins instanceof Instruction.Load l) {
                    wanted.put(l.input(), st.program().slot(l.slot()).global());
                }
            }
        }
        List<Map<String, Tensor>> micro = new ArrayList<>();
        for (int m = 0; m < microbatches; m++) {
            micro.add(new HashMap<>());
        }
        wanted.forEach((name, type) -> {
            Tensor t = feeds.get(name);
            int[] dims = type.shape().dims();
            if (dims.length == 0 && t != null && t.type().equals(type)) {
                micro.forEach(m -> m.put(name, perMicrobatch(name, t, microbatches)));
                return;
            }
            boolean ok = t != null && t.type().dtype() == type.dtype() && dims.length > 0
                    && t.type().shape().rank() == dims.length && t.type().dim(0) == dims[0] * microbatches;
            for (int k = 1; ok && k < dims.length; k++) {
                ok = t.type().dim(k) == dims[k];
            }
            if (!ok) {
                throw new IllegalArgumentException("input '" + name + "' needs " + microbatches + " microbatches of " + type
                        + (t == null ? ", none was fed" : ", got " + t.type()));
            }
            int n = Math.toIntExact(type.size());
            for (int m = 0; m < microbatches; m++) {
                Tensor part = Tensor.zeros(type);
                System.arraycopy(t.isInt() ? t.ints() : t.floats(), m * n, part.isInt() ? part.ints() : part.floats(), 0, n);
                micro.get(m).put(name, part);
            }
        });
        return micro;
    }

    /**
     * A scalar of the step as each microbatch reads it. The loss scale S becomes S/M and its inverse M/S, as
     * Megatron divides each microbatch's loss by the microbatch count M before its backward pass: a
     * microbatch's mean loss has M times the whole batch's gradient per element, and its scaled f16
     * gradients should be no larger than the whole batch's (they overflow where one device's would).
     */
    private static Tensor perMicrobatch(String name, Tensor t, int microbatches) {
        return switch (name) {
            case Autodiff.LOSS_SCALE -> Tensor.scalar(t.item() / microbatches);
            case Autodiff.INV_LOSS_SCALE -> Tensor.scalar(t.item() * microbatches);
            default -> t;
        };
    }
}
