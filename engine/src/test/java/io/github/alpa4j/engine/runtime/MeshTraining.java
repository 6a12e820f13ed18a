package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.CpuCollectives;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.data.TeacherSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Test helpers: the training step of a model, planned on a CPU mesh, run there and on one device. */
public final class MeshTraining {
    private MeshTraining() {
    }

    /** The small MLP or GPT the mesh tests train. */
    public static Model model(String name) {
        return name.equals("mlp")
                ? Models.mlp(new MlpConfig(16, List.of(32, 32), 8, Activation.GELU, 16))
                : Models.gpt(new GptConfig(2, 4, 32, 8, 16, 8));
    }

    public static DataSource data(String name, Model m) {
        return name.equals("mlp") ? new TeacherSource(16, 8, 16, 7, m.dataInput(), m.labelInput())
                : new MarkovSource(16, 8, 8, 7, m.dataInput(), m.labelInput());
    }

    public static Graph trainingGraph(Model m, Optimizer opt) {
        return DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", opt).keepOutputs(List.of("loss")));
    }

    public static IntraOpPlan plan(Graph g, String mesh, PlanMethod method) {
        DeviceMesh dm = DeviceMesh.parse(ClusterPresets.byName("cpu", 1), mesh);
        return method.plan(g, dm, PlannerOptions.defaults().withTimeLimitSeconds(30));
    }

    public static MeshRuntime<float[], int[]> mesh(IntraOpPlan plan, long seed) {
        return new MeshRuntime<>(Lowering.lower(plan), d -> new CpuBackend("cpu" + d), new CpuCollectives(30), seed);
    }

    public static SingleDeviceExecutor<float[], int[]> single(Graph g, long seed) {
        return new SingleDeviceExecutor<>(g, new CpuBackend(), seed, Set.of("loss"));
    }

    public static List<Double> losses(StepRunner r, DataSource data, int steps) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            out.add((double) r.step(data.batch(s)).get("loss").item());
        }
        return out;
    }
}
