package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.engine.lower.MeshProgram;
import java.util.List;
import java.util.Map;

/**
 * fp16 loss scaling's overflow check on one device: whether any new value of a variable is infinite or
 * NaN. Every optimizer here turns a non-finite gradient into a non-finite update (Adam's m/√v, SGD's
 * p − lr·g), so this is GradScaler's found_inf, checked where the update is decided.
 */
final class UpdateCheck {
    private UpdateCheck() {
    }

    /** Whether {@code g} is a loss-scaled step (it reads the loss scale as an input). */
    static boolean lossScaled(Graph g) {
        return g.inputs().stream().anyMatch(n -> n.op() instanceof SourceOp.Input i && i.kind() == SourceOp.InputKind.LOSS_SCALE);
    }

    /** Whether any of {@code buffers} (of {@code sizes} elements) holds an infinity or a NaN: one flag, one download. */
    @SuppressWarnings("unchecked")
    static <F, I> boolean anyNonFinite(Backend<F, I> backend, List<Object> buffers, List<Long> sizes) {
        Kernels<F, I> k = backend.kernels();
        TensorType flagType = TensorType.scalarF32();
        Object flag = backend.allocate(flagType);
        try {
            k.fill((F) flag, 1, 0f);
            for (int i = 0; i < buffers.size(); i++) {
                k.flagNonFinite((F) buffers.get(i), sizes.get(i), (F) flag);
            }
            Tensor t = backend.download(flag, flagType);
            return t.item() != 0;
        } finally {
            backend.free(flag);
        }
    }

    /** Whether any update's new value in {@code dev}'s current frame is infinite or NaN. */
    static boolean updatesOverflow(DeviceExecutor<?, ?> dev, MeshProgram program, Map<Integer, Integer> updates) {
        List<Integer> values = List.copyOf(updates.values());
        return anyNonFinite(dev.backend, values.stream().map(dev::slot).toList(),
                values.stream().map(v -> program.slot(v).local().size()).toList());
    }

    /** The update values' sizes in {@code g}, in the order of its updates. */
    static List<Long> updateSizes(Graph g) {
        return g.updates().stream().map(u -> g.node(u.value())).map(Node::type).map(TensorType::size).toList();
    }
}
