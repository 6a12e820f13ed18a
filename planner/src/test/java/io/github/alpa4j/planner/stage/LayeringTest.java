package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.TinyModels;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every node of a training graph gets a layer by the structural rules {@link Layering} states. */
class LayeringTest {

    static Stream<Arguments> layerings() {
        Graph transformer = DeadCodeElimination.apply(TinyModels.transformer(2, 8, 16, 2, 32));
        Graph mlp = DeadCodeElimination.apply(TinyModels.mlp(4, 8, 16, 4));
        Graph deep = DeadCodeElimination.apply(TinyModels.deepMlp(4, 8, 5));
        return Stream.of(
                Arguments.of("transformer in 1", LayerClustering.cluster(transformer, 1, 0.5)),
                Arguments.of("transformer in 3", LayerClustering.cluster(transformer, 3, 0.5)),
                Arguments.of("transformer in 6", LayerClustering.cluster(transformer, 6, 1.0)),
                Arguments.of("mlp in 2", LayerClustering.cluster(mlp, 2, 0.5)),
                Arguments.of("deep mlp in 5", LayerClustering.cluster(deep, 5, 0.5)),
                Arguments.of("deep mlp by name", NamedLayers.of(deep)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerings")
    void forwardRisesBackwardFallsAndUpdatesStayWithTheirParameters(String name, Layering l) {
        Graph g = l.graph();
        int lastForward = 0;
        int lastBackward = Integer.MAX_VALUE;
        for (Node n : g.nodes()) {
            int layer = l.layer(n.id());
            if (n.isSource() && !n.isVariable() || n.op() instanceof SourceOp.State && l.isReplicated(n.id())) {
                continue;
            }
            if (n.phase() == Phase.FORWARD) {
                assertThat(layer).as(n.toString()).isBetween(lastForward, l.layerCount() - 1);
                lastForward = n.isParameter() ? lastForward : layer;
            } else if (n.phase() == Phase.BACKWARD) {
                assertThat(layer).as(n.toString()).isBetween(0, lastBackward);
                lastBackward = layer;
            }
        }
        g.gradients().forEach((p, d) -> assertThat(l.layer(d)).as("gradient of " + g.node(p)).isEqualTo(l.layer(p)));
        for (Graph.Update u : g.updates()) {
            if (g.node(u.variable()).isParameter()) {
                assertThat(l.layer(u.value())).as("update of " + g.node(u.variable())).isEqualTo(l.layer(u.variable()));
            }
        }
        // a parameter goes with its first forward reader
        for (Node p : g.parameters()) {
            int first = g.users(p.id()).stream().filter(u -> g.node(u).phase() == Phase.FORWARD).findFirst().orElseThrow();
            assertThat(l.layer(p.id())).isEqualTo(l.layer(first));
        }
        // only fed inputs, constants and the step counter (and its increment) are copied into stages
        for (Node n : g.nodes()) {
            if (l.isReplicated(n.id())) {
                assertThat(n.op() instanceof SourceOp.Input || n.op() instanceof SourceOp.Constant
                        || n.name().startsWith("optimizer/step")).as(n.toString()).isTrue();
            }
        }
        assertThat(IntStream.range(0, l.layerCount()).map(i -> l.nodes(i).size())).allMatch(c -> c > 0);
    }

    @Test
    void anAccumulatedGradientCrossesAsOneSum() {
        // deep MLP: layer i+1 reads h_i once, so exactly one gradient goes back across each boundary
        Layering l = NamedLayers.of(DeadCodeElimination.apply(TinyModels.deepMlp(4, 8, 3)));
        for (int s = 1; s < 3; s++) {
            StageGraph later = StageGraph.of(l, s, 2);
            long backward = later.sent().stream().filter(v -> l.graph().node(v).phase() == Phase.BACKWARD).count();
            assertThat(backward).as("gradients sent back from layer %d", s).isEqualTo(1);
        }
    }

    @Test
    void namedLayersFollowTheScopes() {
        Layering l = NamedLayers.of(DeadCodeElimination.apply(TinyModels.deepMlp(4, 8, 4)));
        assertThat(l.layerCount()).isEqualTo(4);
        for (Node n : l.graph().nodes()) {
            if (n.name().startsWith("layer") && n.phase() == Phase.FORWARD) {
                assertThat(l.layer(n.id())).as(n.name()).isEqualTo(n.name().charAt(5) - '0');
            }
        }
    }

    @Test
    void aGraphWithoutLayerScopesHasNoNamedLayers() {
        assertThatThrownBy(() -> NamedLayers.of(DeadCodeElimination.apply(TinyModels.mlp(4, 8, 16, 4))))
                .isInstanceOf(PlanningException.class).hasMessageContaining("no 'block<i>/' or 'layer<i>/' name scopes");
    }
}
