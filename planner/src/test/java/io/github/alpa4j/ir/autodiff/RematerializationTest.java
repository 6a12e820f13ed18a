package io.github.alpa4j.ir.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.cases.OpCases;
import io.github.alpa4j.ir.eval.ReferenceEvaluator;
import io.github.alpa4j.planner.TinyModels;
import io.github.alpa4j.planner.stage.NamedLayers;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Recomputing each layer's forward values in the backward pass changes no value and adds each recomputed node's work once. */
class RematerializationTest {
    static final int LAYERS = 4;

    static int[] byScope(Graph g) {
        int[] layerOf = new int[g.size()];
        for (Node n : g.nodes()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^layer(\\d+)/").matcher(n.name());
            layerOf[n.id()] = n.phase() == Phase.FORWARD && m.find() ? Integer.parseInt(m.group(1)) : -1;
        }
        return layerOf;
    }

    @Test
    void theLossGradientsAndUpdatesAreTheSameNumbers() {
        Graph g = TinyModels.deepMlp(8, 16, LAYERS);
        Graph r = NamedLayers.recomputed(g);
        Map<String, double[]> sources = OpCases.sources(g, new Random(3));
        double[][] want = ReferenceEvaluator.evaluate(g, sources);
        double[][] got = ReferenceEvaluator.evaluate(r, sources);
        assertThat(got[r.output("loss")]).containsExactly(want[g.output("loss")]);
        for (int u = 0; u < g.updates().size(); u++) {
            assertThat(got[r.updates().get(u).value()]).as(g.node(g.updates().get(u).variable()).name())
                    .containsExactly(want[g.updates().get(u).value()]);
        }
    }

    @Test
    void backwardNodesReadOnlyCheckpointsAndTheForwardWorkIsPaidTwice() {
        Graph g = TinyModels.deepMlp(8, 16, LAYERS);
        int[] layerOf = byScope(g);
        Rematerialization.Result res = Rematerialization.apply(g, layerOf);
        Graph r = res.graph();
        long recomputedFlops = 0;
        int copies = 0;
        for (Node n : g.nodes()) {
            if (res.recomputed(n.id())) {
                copies++;
                recomputedFlops += g.flops(n);
                Node copy = r.node(res.copyOf()[n.id()]);
                assertThat(copy.phase()).isEqualTo(Phase.BACKWARD);
                assertThat(copy.op()).isEqualTo(n.op());
                assertThat(copy.name()).isEqualTo(n.name() + "/recompute");
            }
        }
        // each layer's product and bias add are recomputed; its ReLU output is the next layer's checkpoint
        assertThat(copies).isEqualTo(2 * LAYERS);
        assertThat(r.totalFlops() - g.totalFlops()).isEqualTo(recomputedFlops);
        for (Node n : r.nodes()) {
            if (n.phase() == Phase.BACKWARD) {
                for (int in : n.inputs()) {
                    Node x = r.node(in);
                    if (x.phase() == Phase.FORWARD && !x.isSource()) {
                        assertThat(x.name()).as("%s reads %s", n.name(), x.name()).doesNotContain("matmul", "add");
                    }
                }
            }
        }
    }
}
