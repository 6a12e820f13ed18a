package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlannedCollective;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a step does on the mesh is what its plan predicted: the same collectives, about the same memory. */
class PlanFidelityTest {

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return MeshRuntimeTest.cases();
    }

    /** Count of each (kind, mesh axes, bytes). */
    static Map<String, Long> histogram(List<String> keys) {
        return keys.stream().collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
    }

    @ParameterizedTest(name = "{0} on {1} with {2}")
    @MethodSource("cases")
    void executedCollectivesAndMemoryMatchThePlan(String name, String mesh, PlanMethod method) {
        Model m = MeshTraining.model(name);
        Graph g = MeshTraining.trainingGraph(m, Optimizer.AdamW.withLr(1e-3));
        IntraOpPlan plan = MeshTraining.plan(g, mesh, method);
        DataSource data = MeshTraining.data(name, m);
        try (MeshRuntime<float[], int[]> rt = MeshTraining.mesh(plan, 3)) {
            rt.step(data.batch(0));
            rt.step(data.batch(1));
            List<String> predicted = plan.collectives().stream().map(PlanFidelityTest::key).toList();
            List<List<CollectiveRecord>> executed = rt.collectives();
            for (List<CollectiveRecord> device : executed) {
                assertThat(histogram(device.stream().map(PlanFidelityTest::key).toList()))
                        .isEqualTo(histogram(predicted));
            }
            long predictedPeak = plan.workingMemoryBytes();
            for (long peak : rt.peakBytesPerDevice()) {
                assertThat((double) peak).as("peak bytes %d vs plan %d", peak, predictedPeak)
                        .isBetween(0.9 * predictedPeak, 1.1 * predictedPeak);
            }
        }
    }

    static String key(PlannedCollective c) {
        return c.collective().kind() + " axes " + c.collective().axes() + " " + c.collective().bytes() + " B";
    }

    static String key(CollectiveRecord r) {
        return r.kind().code() + " axes " + r.group() + " " + r.bytes() + " B";
    }
}
