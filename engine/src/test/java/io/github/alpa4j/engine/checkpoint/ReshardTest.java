package io.github.alpa4j.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.MeshRuntime;
import io.github.alpa4j.engine.runtime.MeshTraining;
import io.github.alpa4j.engine.runtime.SingleDeviceExecutor;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A checkpoint saved from a 2x2 Megatron mesh, loaded on other layouts: every variable arrives whole and exact. */
class ReshardTest {
    private final Model model = MeshTraining.model("gpt");
    private final DataSource data = MeshTraining.data("gpt", model);
    private final Graph step = MeshTraining.trainingGraph(model, Optimizer.AdamW.withLr(1e-2));

    private static Checkpoint saved(StepRunner r) {
        return new Checkpoint(0, Map.of(), r.variableLayout(), r.variableBlocks(), List.of(), Optional.empty());
    }

    @Test
    void aMeshCheckpointLoadsOnOneDeviceAndOnAnotherMesh() {
        try (MeshRuntime<float[], int[]> megatron = MeshTraining.mesh(MeshTraining.plan(step, "2x2", PlanMethod.MEGATRON), 3);
             MeshRuntime<float[], int[]> dp = MeshTraining.mesh(MeshTraining.plan(step, "1x4", PlanMethod.DATA_PARALLEL), 99)) {
            MeshTraining.losses(megatron, data, 2);
            Checkpoint c = saved(megatron);
            assertThat(c.layout()).hasSize(4);
            assertThat(c.layout().getFirst()).extracting(v -> v.name()).contains("optimizer/step", "wte", "wte/adam_m", "wte/adam_v");

            SingleDeviceExecutor<float[], int[]> one = MeshTraining.single(step, 99);
            one.setVariableBlocks(Reshard.blocks(c, one.variableLayout()));
            dp.setVariableBlocks(Reshard.blocks(c, dp.variableLayout()));
            Map<String, Tensor> want = megatron.parameters();
            assertThat(one.parameters().keySet()).isEqualTo(want.keySet());
            want.forEach((name, t) -> {
                assertThat(one.parameters().get(name).floats()).as(name).containsExactly(t.floats());
                assertThat(dp.parameters().get(name).floats()).as(name).containsExactly(t.floats());
            });
            assertThat(one.variable("optimizer/step").item()).isEqualTo(2f);
            // the next step from the resharded state is the mesh's next step, to fp32 tolerance
            double next = MeshTraining.losses(megatron, new Shifted(data, 2), 1).getFirst();
            assertThat(MeshTraining.losses(one, new Shifted(data, 2), 1).getFirst()).isCloseTo(next, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void onTheLayoutItWasSavedFromTheBlocksAreUsedAsTheyAre() {
        try (MeshRuntime<float[], int[]> megatron = MeshTraining.mesh(MeshTraining.plan(step, "2x2", PlanMethod.MEGATRON), 3)) {
            MeshTraining.losses(megatron, data, 1);
            Checkpoint c = saved(megatron);
            assertThat(Reshard.blocks(c, megatron.variableLayout())).isSameAs(c.blocks());
        }
    }

    @Test
    void anotherModelsCheckpointIsRefusedNamingAVariable() {
        Graph sgd = MeshTraining.trainingGraph(model, new Optimizer.Sgd(0.1, 0.9, 0));
        SingleDeviceExecutor<float[], int[]> adam = MeshTraining.single(step, 1);
        SingleDeviceExecutor<float[], int[]> momentum = MeshTraining.single(sgd, 1);
        assertThatThrownBy(() -> Reshard.blocks(saved(adam), momentum.variableLayout())).isInstanceOf(UserInputException.class)
                .hasMessageContaining("other variables").hasMessageContaining("momentum");
    }

    /** A data source whose step 0 is another's step {@code by}. */
    private record Shifted(DataSource data, long by) implements DataSource {
        @Override
        public Map<String, Tensor> batch(long step) {
            return data.batch(step + by);
        }

        @Override
        public String describe() {
            return data.describe();
        }
    }
}
