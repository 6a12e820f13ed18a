package io.github.alpa4j.energy.dag;

import io.github.alpa4j.energy.profile.Instruction;

import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /**
     * 50 pipelines: the smallest and the largest under each schedule, then random ones with
     * 1–8 stages and 1–12 microbatches (inclusive) drawn from a fixed seed.
     */
    static List<Arguments> pipelines() {
        Random random = new Random(0x5EED_DA6L);
        List<Arguments> cases = new ArrayList<>();
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            cases.add(Arguments.of(1, 1, schedule));
            cases.add(Arguments.of(8, 12, schedule));
        }
        PipelineSchedule[] schedules = PipelineSchedule.values();
        while (cases.size() < 50) {
            cases.add(Arguments.of(random.nextInt(1, 8 + 1), random.nextInt(1, 12 + 1),
                    schedules[random.nextInt(schedules.length)]));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} stages, {1} microbatches, {2}")
    @MethodSource("pipelines")
    void everyComputationOnceEveryRuleEdgePresentAndAcyclic(int stages, int microbatches, PipelineSchedule schedule) {
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
    void aScheduleMayHandOverItsOwnStageOrders() {
        List<List<Computation>> orders = List.of(
                PipelineSchedule.ONE_F_ONE_B.stageOrder(2, 3, 0), PipelineSchedule.ONE_F_ONE_B.stageOrder(2, 3, 1));
        PipelineDag given = PipelineDag.of(3, orders, PipelineSchedule.ONE_F_ONE_B);
        assertThat(edges(given)).isEqualTo(edges(PipelineDag.build(2, 3, PipelineSchedule.ONE_F_ONE_B)));

        // Stage 0 running B0 first waits for B(1,0), which waits for F(0,0), which waits for B0.
        List<List<Computation>> deadlock = List.of(List.of(b(0, 0), f(0, 0)), List.of(f(1, 0), b(1, 0)));
        assertThatThrownBy(() -> PipelineDag.of(1, deadlock, PipelineSchedule.ONE_F_ONE_B))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadlock");
        assertThatThrownBy(() -> PipelineDag.of(1, List.of(List.of(f(0, 0), f(0, 0))), PipelineSchedule.GPIPE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("appears twice");
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
