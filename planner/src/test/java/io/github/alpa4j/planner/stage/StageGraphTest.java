package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.eval.ReferenceEvaluator;
import io.github.alpa4j.planner.TinyModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cutting a training graph into stage graphs loses nothing: every layered node is in exactly one stage,
 * activations only go to later stages and gradients only to earlier ones, and each stage graph, fed the
 * values it receives, computes exactly what the training graph computes for the nodes it copies.
 */
class StageGraphTest {
    private static final int VOCAB = 32;

    static Stream<Long> seeds() {
        return LongStream.range(0, 24).boxed();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void stagesReproduceTheTrainingGraph(long seed) {
        Random r = new Random(seed);
        Graph g = DeadCodeElimination.apply(switch ((int) (seed % 3)) {
            // tied embeddings: the head in the last stage reads the first stage's table and sends its gradient back
            case 0 -> TinyModels.transformer(2, 4, 8, 2, VOCAB);
            case 1 -> TinyModels.deepMlp(3, 4, 4);
            default -> TinyModels.mlp(3, 4, 6, 2);
        });
        int layers = 1 + r.nextInt(Math.min(6, LayerClustering.forwardNodeCount(g)));
        Layering l = LayerClustering.cluster(g, layers, 2.0);
        List<int[]> stages = randomStages(r, layers);
        Map<String, double[]> sources = sources(g, r);
        double[][] reference = ReferenceEvaluator.evaluate(g, sources);
        int[] owner = new int[g.size()];
        Arrays.fill(owner, -1);
        for (int s = 0; s < stages.size(); s++) {
            StageGraph sg = StageGraph.of(l, stages.get(s)[0], stages.get(s)[1]);
            assertThat(DeadCodeElimination.apply(sg.graph())).as("nothing dead").isSameAs(sg.graph());
            Map<String, double[]> fed = new HashMap<>(sources);
            for (int v : sg.received()) {
                fed.put(g.node(v).name(), reference[v]);
                int from = stageOf(stages, l.layer(v));
                Phase phase = g.node(v).phase();
                if (phase == Phase.FORWARD) {
                    assertThat(from).as("activation %s comes from an earlier stage", g.node(v)).isLessThan(s);
                } else {
                    assertThat(from).as("gradient %s comes from a later stage", g.node(v)).isGreaterThan(s);
                }
            }
            double[][] values = ReferenceEvaluator.evaluate(sg.graph(), fed);
            for (Node n : sg.graph().nodes()) {
                int v = sg.original(n.id());
                assertThat(values[n.id()]).as("%s in stage %d", g.node(v), s).containsExactly(reference[v]);
                if (!l.isReplicated(v) && !sg.received().contains(v)) {
                    assertThat(owner[v]).as("%s in one stage", g.node(v)).isEqualTo(-1);
                    owner[v] = s;
                }
            }
            for (int v : sg.sent()) {
                assertThat(sg.graph().outputs()).containsEntry(StageGraph.TRANSFER + v, sg.local(v));
            }
        }
        for (int v = 0; v < g.size(); v++) {
            assertThat(owner[v] >= 0 || l.isReplicated(v)).as("%s placed", g.node(v)).isTrue();
        }
    }

    /** A random split of layers 0..layers-1 into contiguous stages. */
    static List<int[]> randomStages(Random r, int layers) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < layers - 1; i++) {
            if (r.nextBoolean()) {
                out.add(new int[] {start, i});
                start = i + 1;
            }
        }
        out.add(new int[] {start, layers - 1});
        return out;
    }

    private static int stageOf(List<int[]> stages, int layer) {
        for (int s = 0; s < stages.size(); s++) {
            if (layer >= stages.get(s)[0] && layer <= stages.get(s)[1]) {
                return s;
            }
        }
        throw new IllegalArgumentException("layer " + layer);
    }

    /** Random parameters and inputs; integer inputs are token ids below the vocabulary; states start at zero. */
    static Map<String, double[]> sources(Graph g, Random r) {
        Map<String, double[]> out = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!n.isSource() || n.op() instanceof SourceOp.Constant) {
                continue;
            }
            double[] x = new double[(int) n.type().size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = n.type().dtype() == DType.I32 ? r.nextInt(VOCAB) : n.isParameter() || !n.isVariable() ? r.nextGaussian() * 0.5 : 0;
            }
            out.put(n.name(), x);
        }
        return out;
    }
}
