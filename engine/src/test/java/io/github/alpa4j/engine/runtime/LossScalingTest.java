package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * fp16's dynamic loss scaling, forced to overflow: started at 2^30 the scaled gradient of the logits
 * (about 2^30/64 per element) exceeds f16's 65504, so the first steps are skipped, each halving the
 * scale and leaving every variable as it was, until the scale fits; from then on steps update, and
 * after the growth interval's good steps in a row the scale doubles. One device, a mesh and a pipeline
 * skip the same steps.
 */
class LossScalingTest {
    static final int STEPS = 24;
    static final LossScaler.Settings FORCED = LossScaler.Settings.defaults().withInitialScale(0x1p30).withGrowthInterval(4);

    record Step(double scale, boolean skipped, double loss, boolean parametersMoved) {
    }

    static List<Step> run(BackendRunner r, DataSource data) {
        r.useLossScaling(FORCED);
        List<Step> steps = new ArrayList<>();
        Map<String, Tensor> before = r.parameters();
        for (int s = 0; s < STEPS; s++) {
            double loss = r.step(data.batch(s)).get("loss").item();
            Map<String, Tensor> after = r.parameters();
            boolean moved = after.keySet().stream().anyMatch(p -> !Arrays.equals(after.get(p).floats(), before.get(p).floats()));
            steps.add(new Step(r.lastStepLossScale(), r.lastStepSkipped(), loss, moved));
            before.clear();
            before.putAll(after);
        }
        return steps;
    }

    @ParameterizedTest
    @ValueSource(strings = {"one device", "mesh 1x2", "pipeline 2 stages"})
    void anOverflowSkipsTheStepHalvesTheScaleAndTrainingRecovers(String where) {
        Function<Integer, Model> model = batch -> Models.gpt(new GptConfig(2, 4, 32, 8, 16, batch), Precision.FP16);
        Model whole = model.apply(8);
        Graph g = MixedPrecisionTrainingTest.trainingGraph(whole, Precision.FP16);
        BackendRunner runner = switch (where) {
            case "one device" -> Backends.singleCpu(g, 11, Set.of("loss"));
            case "mesh 1x2" -> Backends.cpuMesh(Lowering.lower(MeshTraining.plan(g, "1x2", PlanMethod.DATA_PARALLEL)), 11);
            default -> {
                Graph micro = MixedPrecisionTrainingTest.trainingGraph(model.apply(4), Precision.FP16);
                PipelinePlan plan = MegatronPipeline.plan(micro, 2, PipelineRuntimeTest.cpu(2),
                        MegatronPipeline.parse("megatron:dp=1,tp=1,pp=2"), StageOptions.defaults());
                yield Backends.cpuPipeline(plan, 11);
            }
        };
        List<Step> steps;
        try (runner) {
            steps = run(runner, MeshTraining.data("gpt", whole));
        }
        assertThat(steps.getFirst().skipped()).as("the first step overflows").isTrue();
        int firstGood = 0;
        while (steps.get(firstGood).skipped()) {
            firstGood++;
        }
        assertThat(firstGood).as("steps until the scale fits").isBetween(1, STEPS - 2 * FORCED.growthInterval() - 1);
        for (int s = 0; s < STEPS; s++) {
            Step st = steps.get(s);
            assertThat(st.loss()).as("step %d's loss", s).isFinite();
            assertThat(st.parametersMoved()).as("step %d moved the parameters", s).isEqualTo(!st.skipped());
            if (s + 1 < STEPS && st.skipped()) {
                assertThat(steps.get(s + 1).scale()).as("after step %d overflowed", s).isEqualTo(st.scale() / 2);
            }
        }
        // after the first good step, growthInterval good steps in a row double the scale
        for (int s = firstGood; s + FORCED.growthInterval() < STEPS; s++) {
            boolean run = steps.subList(s, s + FORCED.growthInterval()).stream().noneMatch(Step::skipped)
                    && (s == firstGood || steps.get(s - 1).skipped());
            if (run) {
                assertThat(steps.get(s + FORCED.growthInterval()).scale()).as("after %d good steps from step %d", FORCED.growthInterval(), s)
                        .isEqualTo(2 * steps.get(s).scale());
            }
        }
        assertThat(steps.getLast().loss()).as("training recovered and learns").isLessThan(steps.get(firstGood).loss());
    }
}
