package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.model.StageWork;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The work of each pipeline stage for the energy model, when nothing was measured: the model's
 * repeated layers ({@code block<i>/} or {@code layer<i>/}) split evenly into contiguous stages, what
 * comes before the first layer (embeddings) in the first stage and after the last (final norm,
 * head, loss) in the last. Forward FLOPs and bytes are the forward graph's, per microbatch, divided
 * over the stage's devices (intra-op sharding splits the work); backward is taken as twice the
 * forward (two matrix products per forward one), the usual rule for transformers and MLPs.
 */
public final class StageWorkEstimate {
    private static final Pattern LAYER = Pattern.compile("^(?:block|layer)(\\d+)/");

    private StageWorkEstimate() {
    }

    /** {@code forward} is the model at microbatch size; each stage runs on {@code devicesPerStage} GPUs. */
    public static List<StageWork> of(Graph forward, int stages, int devicesPerStage) {
        int[] layerOf = new int[forward.size()];
        int layers = 0;
        for (Node n : forward.nodes()) {
            Matcher m = LAYER.matcher(n.name());
            layerOf[n.id()] = m.find() ? Integer.parseInt(m.group(1)) : -1;
            layers = Math.max(layers, layerOf[n.id()] + 1);
        }
        if (stages < 1 || stages > Math.max(1, layers)) {
            throw new UserInputException("cannot split " + layers + " layers into " + stages + " stages; use --stages between 1 and "
                    + Math.max(1, layers));
        }
        double[] flops = new double[stages];
        double[] bytes = new double[stages];
        boolean seenLayer = false;
        for (Node n : forward.nodes()) {
            int layer = layerOf[n.id()];
            int stage;
            if (layer >= 0) {
                seenLayer = true;
                stage = (int) ((long) layer * stages / layers);
            } else {
                stage = seenLayer ? stages - 1 : 0;
            }
            flops[stage] += forward.flops(n);
            bytes[stage] += n.op().bytesRead(forward.inputTypes(n)) + n.op().bytesWritten(n.type());
        }
        List<StageWork> work = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            double f = flops[s] / devicesPerStage;
            double b = bytes[s] / devicesPerStage;
            work.add(new StageWork(f, b, 2 * f, 2 * b));
        }
        return work;
    }
}
