package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Any plan on any mesh trains exactly as one device does (fp32 tolerance). */
class MeshRuntimeTest {
    static final int STEPS = 20;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : List.of("mlp", "gpt")) {
            for (String mesh : List.of("1x2", "2x1", "2x2", "1x4", "2x4")) {
                for (PlanMethod m : PlanMethod.values()) {
                    b.add(Arguments.of(model, mesh, m));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} on {1} with {2}")
    @MethodSource("cases")
    void sameLossesAndParametersAsOneDevice(String name, String mesh, PlanMethod method) {
        Model m = MeshTraining.model(name);
        Graph g = MeshTraining.trainingGraph(m, Optimizer.AdamW.withLr(1e-3));
        IntraOpPlan plan = MeshTraining.plan(g, mesh, method);
        SingleDeviceExecutor<float[], int[]> one = MeshTraining.single(g, 11);
        try (MeshRuntime<float[], int[]> many = MeshTraining.mesh(plan, 11)) {
            List<Double> want = MeshTraining.losses(one, MeshTraining.data(name, m), STEPS);
            List<Double> got = MeshTraining.losses(many, MeshTraining.data(name, m), STEPS);
            for (int s = 0; s < STEPS; s++) {
                assertThat(Math.abs(got.get(s) - want.get(s)) / Math.abs(want.get(s))).as("step %d loss %s vs %s", s, got.get(s), want.get(s))
                        .isLessThan(1e-5);
            }
            Map<String, Tensor> pw = one.parameters();
            Map<String, Tensor> pg = many.parameters();
            assertThat(pg.keySet()).isEqualTo(pw.keySet());
            pw.forEach((p, w) -> assertThat(maxRelative(pg.get(p).floats(), w.floats())).as(p).isLessThan(1e-4));
        }
    }

    /** max |a − b| / max |b|. */
    static double maxRelative(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, 1e-12);
    }
}
