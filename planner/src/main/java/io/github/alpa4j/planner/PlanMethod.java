package io.github.alpa4j.planner;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.Units;
import java.util.Arrays;

/** The plans {@code --plan} offers: the ILP's, or a manual one costed by the same model. */
public enum PlanMethod {
    AUTO("auto"), DATA_PARALLEL("dp"), MEGATRON("megatron"), DP_MEGATRON("dp-megatron"),
    /** Data parallel with sharded optimizer states (ZeRO): parameters and states split over the data axes. */
    DP_ZERO("dp-zero"),
    /** DeepSpeed-MoE: data parallel, with each expert layer's weights split by expert over the mesh (expert parallelism). */
    EP_DP("ep-dp");

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
        throw new PlanningException("--plan: unknown plan '" + s + "'; use one of "
                + Arrays.stream(values()).map(PlanMethod::flag).toList());
    }

    /**
     * The plan of {@code graph} on {@code mesh}. A manual plan is refused, as the ILP's would be, when the
     * tensors it keeps exceed the options' memory budget on a device.
     */
    public IntraOpPlan plan(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        IntraOpPlan plan = switch (this) {
            case AUTO -> IntraOpPlanner.plan(graph, mesh, options);
            case DATA_PARALLEL -> ManualPlans.dataParallel(graph, mesh, options);
            case MEGATRON -> ManualPlans.megatron(graph, mesh, options);
            case DP_MEGATRON -> ManualPlans.dpMegatron(graph, mesh, options);
            case DP_ZERO -> ManualPlans.dataParallelZero(graph, mesh, options);
            case EP_DP -> ManualPlans.expertDataParallel(graph, mesh, options);
        };
        if (this != AUTO && options.memoryBudgetBytes().isPresent() && plan.peakMemoryBytes() > options.memoryBudgetBytes().getAsLong()) {
            throw new PlanningException("plan " + flag + " keeps " + Units.bytes(plan.peakMemoryBytes()) + " per device on mesh " + mesh
                    + ", over the memory budget of " + Units.bytes(options.memoryBudgetBytes().getAsLong())
                    + "; use --plan auto, a larger mesh, or a smaller model");
        }
        return plan;
    }
}
