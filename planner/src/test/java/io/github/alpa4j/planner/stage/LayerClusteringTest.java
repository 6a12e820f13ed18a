package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.TinyModels;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The clustering's largest cut is the least any partition within the FLOPs bound can have (brute force). */
class LayerClusteringTest {

    static Stream<Arguments> cases() {
        Graph transformer = DeadCodeElimination.apply(TinyModels.transformer(2, 8, 16, 2, 32));
        Graph mlp = DeadCodeElimination.apply(TinyModels.mlp(4, 8, 16, 4));
        Graph deep = DeadCodeElimination.apply(TinyModels.deepMlp(4, 8, 4));
        return Stream.of(Arguments.of("transformer", transformer, 2, 0.5), Arguments.of("transformer", transformer, 3, 1.0),
                Arguments.of("transformer", transformer, 4, 2.0), Arguments.of("mlp", mlp, 2, 0.5), Arguments.of("mlp", mlp, 3, 1.0),
                Arguments.of("deep mlp", deep, 2, 0.5), Arguments.of("deep mlp", deep, 4, 0.5), Arguments.of("deep mlp", deep, 3, 0.5));
    }

    @ParameterizedTest(name = "{0} into {2}, eps {3}")
    @MethodSource("cases")
    void largestCutIsLeast(String name, Graph g, int layers, double epsilon) {
        List<Node> fwd = g.nodes().stream().filter(n -> n.phase() == Phase.FORWARD && !n.isSource()).toList();
        long total = fwd.stream().mapToLong(g::flops).sum();
        double cap = (1 + epsilon) * total / layers;
        Layering l = LayerClustering.cluster(g, layers, epsilon);
        int[] forward = fwd.stream().mapToInt(n -> l.layer(n.id())).toArray();
        long[] flops = new long[layers];
        for (int i = 0; i < fwd.size(); i++) {
            flops[forward[i]] += g.flops(fwd.get(i));
        }
        assertThat(java.util.Arrays.stream(flops).max().orElse(0)).isLessThanOrEqualTo((long) cap);
        assertThat(largestCut(g, fwd, forward)).isEqualTo(bruteForce(g, fwd, layers, cap));
    }

    @Test
    void equalLayersOfAStackAreCutAtTheirBoundaries() {
        Graph g = DeadCodeElimination.apply(TinyModels.deepMlp(4, 8, 4));
        Layering l = LayerClustering.cluster(g, 4, 0.5);
        Layering named = NamedLayers.of(g);
        for (Node n : g.nodes()) {
            assertThat(l.layer(n.id())).as(n.toString()).isEqualTo(named.layer(n.id()));
        }
        assertThat(LayerClustering.autoLayers(g, 0.5)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void impossibleLayerCountsAreUserErrors() {
        Graph g = DeadCodeElimination.apply(TinyModels.mlp2(4, 8, 16, 4));
        assertThatThrownBy(() -> LayerClustering.cluster(g, 100, 0.5)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("into 100 layers; use 1 to");
        // two matmuls dominate: three layers of at most 1.0 x average FLOPs cannot hold them
        assertThatThrownBy(() -> LayerClustering.cluster(g, 3, 0.0)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("use fewer layers or a larger epsilon");
    }

    /** Bytes crossing the worst boundary of a forward layering, computed directly. */
    static long largestCut(Graph g, List<Node> fwd, int[] layer) {
        long worst = 0;
        for (int j = 1; j < fwd.size(); j++) {
            if (layer[j] != layer[j - 1]) {
                worst = Math.max(worst, cut(g, fwd, j));
            }
        }
        return worst;
    }

    /** Bytes of forward values made before position j (parameters: first read before j) and read at j or later. */
    static long cut(Graph g, List<Node> fwd, int j) {
        long bytes = 0;
        for (Node v : g.nodes()) {
            int home = v.isParameter() ? firstReader(g, fwd, v) : fwd.indexOf(v);
            if (home < 0 || home >= j) {
                continue;
            }
            boolean readAfter = false;
            for (int k = j; k < fwd.size(); k++) {
                readAfter |= fwd.get(k).inputs().contains(v.id());
            }
            bytes += readAfter ? v.type().bytes() : 0;
        }
        return bytes;
    }

    private static int firstReader(Graph g, List<Node> fwd, Node p) {
        for (int k = 0; k < fwd.size(); k++) {
            if (fwd.get(k).inputs().contains(p.id())) {
                return k;
            }
        }
        return -1;
    }

    /** The least largest cut over every partition into {@code layers} non-empty groups of at most {@code cap} FLOPs. */
    static long bruteForce(Graph g, List<Node> fwd, int layers, double cap) {
        long[] cuts = new long[fwd.size()];
        for (int j = 1; j < fwd.size(); j++) {
            cuts[j] = cut(g, fwd, j);
        }
        return search(g, fwd, cuts, 0, layers, cap, 0);
    }

    private static long search(Graph g, List<Node> fwd, long[] cuts, int start, int layers, double cap, long worst) {
        if (layers == 1) {
            long f = 0;
            for (int k = start; k < fwd.size(); k++) {
                f += g.flops(fwd.get(k));
            }
            return f <= cap ? worst : Long.MAX_VALUE;
        }
        long best = Long.MAX_VALUE;
        long f = 0;
        for (int end = start + 1; end <= fwd.size() - layers + 1; end++) {
            f += g.flops(fwd.get(end - 1));
            if (f > cap) {
                break;
            }
            best = Math.min(best, search(g, fwd, cuts, end, layers - 1, cap, Math.max(worst, cuts[end])));
        }
        return best;
    }
}
