package io.github.alpa4j.engine.lower;

import io.github.alpa4j.engine.collective.CpuCollectives;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.CpuBackend;
import io.github.alpa4j.engine.runtime.MeshRuntime;
import io.github.alpa4j.engine.runtime.SingleDeviceExecutor;
import io.github.alpa4j.engine.runtime.StepRunner;
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
final class MeshTraining {
    private MeshTraining() {
    }

    static Graph trainingGraph(Model m, Optimizer opt) {
        return DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", opt).keepOutputs(List.of("loss")));
    }

    static IntraOpPlan plan(Graph g, String mesh, PlanMethod method) {
        DeviceMesh dm = DeviceMesh.parse(ClusterPresets.byName("cpu", 1), mesh);
        return method.plan(g, dm, PlannerOptions.defaults().withTimeLimitSeconds(30));
    }

    static MeshRuntime<float[], int[]> mesh(IntraOpPlan plan, long seed) {
        return new MeshRuntime<>(Lowering.lower(plan), d -> new CpuBackend("cpu" + d), new CpuCollectives(30), seed);
    }

    static SingleDeviceExecutor<float[], int[]> single(Graph g, long seed) {
        return new SingleDeviceExecutor<>(g, new CpuBackend(), seed, Set.of("loss"));
    }

    static List<Double> losses(StepRunner r, DataSource data, int steps) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            out.add((double) r.step(data.batch(s)).get("loss").item());
        }
        return out;
    }
}
