package io.github.alpa4j.planner;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.Arrays;

/** The plans {@code --plan} offers: the ILP's, or a manual one costed by the same model. */
public enum PlanMethod {
    AUTO("auto"), DATA_PARALLEL("dp"), MEGATRON("megatron"), DP_MEGATRON("dp-megatron"),
    /** Data parallel with sharded optimizer states (ZeRO): parameters and states split over the data axes. */
    DP_ZERO("dp-zero");

    private final String flag;

    PlanMethod(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    public static PlanMethod parse(String s) {
        for (PlanMethod m : values()) {
            if (m.flag.equals(s)) {
                return m;
            }
        }
        throw new PlanningException("unknown plan '" + s + "'; use one of "
                + Arrays.stream(values()).map(PlanMethod::flag).toList());
    }

    public IntraOpPlan plan(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return switch (this) {
            case AUTO -> IntraOpPlanner.plan(graph, mesh, options);
            case DATA_PARALLEL -> ManualPlans.dataParallel(graph, mesh, options);
            case MEGATRON -> ManualPlans.megatron(graph, mesh, options);
            case DP_MEGATRON -> ManualPlans.dpMegatron(graph, mesh, options);
            case DP_ZERO -> ManualPlans.dataParallelZero(graph, mesh, options);
        };
    }
}
