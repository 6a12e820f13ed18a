package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.autodiff.Rematerialization;
import io.github.alpa4j.planner.PlanningException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layers a model builder named: forward nodes under a {@code block<i>/} (GPT) or {@code layer<i>/}
 * (MLP) scope belong to layer i; forward nodes before the first scope (embeddings) join the first layer,
 * those after the last (final norm, head, loss) the last. This is how Megatron-LM splits a model into
 * pipeline stages: by its transformer layers, whatever their FLOPs.
 */
public final class NamedLayers {
    private static final Pattern SCOPE = Pattern.compile("(?:^|/)(?:block|layer)(\\d+)/");

    private NamedLayers() {
    }

    /**
     * {@code training} with each named layer's forward values recomputed in the backward pass
     * ({@link Rematerialization}): nodes outside the scopes (embeddings, head, loss) are kept as they are.
     */
    public static Graph recomputed(Graph training) {
        int[] layerOf = new int[training.size()];
        for (Node n : training.nodes()) {
            Matcher m = SCOPE.matcher(n.name());
            layerOf[n.id()] = n.phase() == Phase.FORWARD && m.find() ? Integer.parseInt(m.group(1)) : -1;
        }
        return Rematerialization.apply(training, layerOf).graph();
    }

    /** The layering by name scopes; a graph without such scopes, or with them out of order, is a user error. */
    public static Layering of(Graph g) {
        List<Node> fwd = g.nodes().stream().filter(Layering::isClustered).toList();
        int[] layer = new int[fwd.size()];
        int current = -1;
        int firstScoped = -1;
        for (int i = 0; i < fwd.size(); i++) {
            Matcher m = SCOPE.matcher(fwd.get(i).name());
            if (m.find()) {
                int l = Integer.parseInt(m.group(1));
                if (l != current && l != current + 1) {
                    throw new PlanningException("layer scopes of the graph do not run 0, 1, 2, ... in order (found "
                            + fwd.get(i).name() + " after layer " + current + "); Megatron pipeline plans need them in order");
                }
                current = l;
                if (firstScoped < 0) {
                    firstScoped = i;
                }
            }
            layer[i] = Math.max(current, 0);
        }
        if (firstScoped < 0) {
            throw new PlanningException("the graph has no 'block<i>/' or 'layer<i>/' name scopes; Megatron pipeline plans split a model by its layers");
        }
        return Layering.fromForward(g, layer, current + 1);
    }
}
