package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.planner.TinyModels;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The stage DP's cost of a layer range against the plan built for that range. */
class LayerProfilesTest {

    /**
     * On a small GPT, with and without recomputation, every range's memory in every profile is the peak and the
     * activations of the plan the planner builds for that range (its layers' plans side by side), not the sum of
     * its layers' peaks, which counts each layer's transient peak as if all were held at once.
     */
    @Test
    void aRangesMemoryIsThatOfItsPlan() {
        check(TinyModels.gpt(8, 32, 64, 4, 128, 4));
    }

    /** In mixed precision: the weights cast to bf16 once per iteration are held once, not per microbatch in flight. */
    @Test
    void aMixedPrecisionRangesMemoryIsThatOfItsPlan() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.cast(b.input("x", TensorType.f32(32, 128), InputKind.DATA), DType.BF16);
        Value y = b.input("y", TensorType.f32(32, 128), InputKind.LABEL);
        for (int l = 0; l < 4; l++) {
            x = b.relu(b.matmul(x, b.cast(b.parameter("layer" + l + "/w", TensorType.f32(128, 128), Init.normal(0.02)), DType.BF16)));
        }
        b.output("loss", b.mse(b.cast(x, DType.F32), y));
        check(Autodiff.training(b.build(), "loss", Optimizer.AdamW.withLr(1e-3)));
    }

    private static void check(Graph training) {
        Graph g = DeadCodeElimination.apply(training);
        StageOptions o = StageOptions.defaults().toBuilder().remat(RematMode.AUTO).build();
        Layering layering = LayerClustering.cluster(g, 4, o.epsilon());
        List<Submesh> submeshes = o.submeshes().of(PipelinePlannerTest.CLUSTER);
        List<Profile> profiles = Profile.of(LogicalMesh.of(PipelinePlannerTest.CLUSTER, submeshes, o.logicalShapes()), o.remat());
        assertThat(profiles).anyMatch(Profile::remat).anyMatch(p -> !p.remat());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            LayerProfiles lp = LayerProfiles.solve(layering, profiles, PipelinePlanner.intraOptions(o, 4), pool);
            boolean summedIsAbove = false;
            for (int m = 0; m < profiles.size(); m++) {
                for (int i = 0; i < 4; i++) {
                    StageCost summed = lp.range(i, i, m);
                    for (int j = i; j < 4; j++) {
                        StageGraph whole = StageGraph.of(layering, i, j);
                        StageGraph stage = profiles.get(m).remat() ? whole.recomputed(layering) : whole;
                        IntraOpPlan plan = lp.composed(stage, i, j, m, profiles.get(m).mesh().costMesh(), PipelinePlanner.intraOptions(o, 4));
                        StageCost built = StageCost.of(plan);
                        StageCost estimate = lp.range(i, j, m);
                        assertThat(estimate.peakBytes()).as("peak of layers %d-%d in profile %s", i, j, profiles.get(m))
                                .isEqualTo(built.peakBytes()).isEqualTo(plan.peakMemoryBytes());
                        assertThat(estimate.activationBytes()).isEqualTo(built.activationBytes());
                        assertThat(estimate.memoryBytes(3)).isEqualTo(built.memoryBytes(3));
                        if (j > i) {
                            summed = summed.then(lp.range(j, j, m), 0, 0, 0);
                            summedIsAbove |= summed.peakBytes() > estimate.peakBytes();
                        }
                    }
                }
            }
            assertThat(summedIsAbove).as("adding the layers' peaks overestimates some range").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
