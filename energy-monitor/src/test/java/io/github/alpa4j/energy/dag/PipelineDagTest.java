package io.github.alpa4j.energy.dag;

import io.github.alpa4j.energy.profile.Instruction;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineDagTest {
    private static Computation f(int s, int m) {
        return new Computation(s, m, Instruction.FORWARD);
    }

    private static Computation b(int s, int m) {
        return new Computation(s, m, Instruction.BACKWARD);
    }

    private static Set<String> edges(PipelineDag dag) {
        Set<String> edges = new HashSet<>();
        for (int u = 0; u < dag.size(); u++) {
            for (int k = 0; k < dag.successorCount(u); k++) {
                edges.add(dag.computation(u) + "->" + dag.computation(dag.successor(u, k)));
            }
        }
        return edges;
    }

    @Test
    void twoStagesTwoMicrobatchesOneFOneB() {
        PipelineDag dag = PipelineDag.build(2, 2, PipelineSchedule.ONE_F_ONE_B);
        // stage 0: F0 F1 B0 B1; stage 1: F0 B0 F1 B1
        assertThat(edges(dag)).containsExactlyInAnyOrder(
                "F(0,0)->F(0,1)", "F(0,1)->B(0,0)", "B(0,0)->B(0,1)",
                "F(1,0)->B(1,0)", "B(1,0)->F(1,1)", "F(1,1)->B(1,1)",
                "F(0,0)->F(1,0)", "F(0,1)->F(1,1)", "B(1,0)->B(0,0)", "B(1,1)->B(0,1)");
    }

    @Property(tries = 50)
    void everyComputationOnceEveryRuleEdgePresentAndAcyclic(@ForAll @IntRange(min = 1, max = 8) int stages,
                                                            @ForAll @IntRange(min = 1, max = 12) int microbatches,
                                                            @ForAll PipelineSchedule schedule) {
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        assertThat(dag.size()).isEqualTo(2 * stages * microbatches);
        assertThat(new HashSet<>(dag.computations())).hasSize(dag.size());
        Set<String> edges = edges(dag);
        for (int s = 0; s < stages; s++) {
            for (int m = 0; m < microbatches; m++) {
                if (s + 1 < stages) {
                    assertThat(edges).contains(f(s, m) + "->" + f(s + 1, m), b(s + 1, m) + "->" + b(s, m));
                }
            }
        }
        int[] position = new int[dag.size()];
        int[] order = dag.topologicalOrder();
        for (int p = 0; p < order.length; p++) {
            position[order[p]] = p;
        }
        for (int u = 0; u < dag.size(); u++) {
            for (int k = 0; k < dag.successorCount(u); k++) {
                assertThat(position[dag.successor(u, k)]).isGreaterThan(position[u]);
            }
        }
        for (int m = 0; m < microbatches; m++) {
            assertThat(position[dag.indexOf(b(stages - 1, m))]).as("the last stage turns a microbatch around")
                    .isGreaterThan(position[dag.indexOf(f(stages - 1, m))]);
        }
    }

    @Test
    void theGraphViewAddsASourceAndASink() {
        PipelineDag dag = PipelineDag.build(3, 4, PipelineSchedule.ONE_F_ONE_B);
        Graph<DagNode, DefaultEdge> graph = dag.asGraph();
        DagNode source = new DagNode.Source();
        DagNode sink = new DagNode.Sink();
        assertThat(graph.vertexSet()).hasSize(dag.size() + 2);
        assertThat(graph.outgoingEdgesOf(source)).extracting(graph::getEdgeTarget).containsExactly(f(0, 0));
        assertThat(graph.incomingEdgesOf(sink)).extracting(graph::getEdgeSource).containsExactly(b(0, 3));
        assertThat(dag.indexOf(b(2, 1))).isEqualTo(dag.computations().indexOf(b(2, 1)));
    }
}
