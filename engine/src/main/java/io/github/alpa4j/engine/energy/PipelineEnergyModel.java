package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.plan.PipelineCandidate;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A pipeline plan as the energy objective sees it: each stage's forward and backward time from the
 * planner's cost model (so the frontier's fastest point is the plan's own time, less what the power cap
 * takes), split into the part that scales with the SM clock (the matrix products' compute cost) and the
 * part that does not (every other op is memory-bound in the cost model, and communication runs on the
 * links), then swept over the clocks by the calibrated DVFS model ({@link DvfsEnergyModel}).
 */
public final class PipelineEnergyModel {
    /** The frontier's quantum is at least this fraction of the shortest computation, so every stage has room to slow down. */
    private static final double QUANTA_PER_COMPUTATION = 50;
    /** ... and at least this fraction of the pipeline, so a long pipeline's frontier stays a few thousand steps. */
    private static final double QUANTA_PER_PIPELINE = 2000;

    private PipelineEnergyModel() {
    }

    /** {@code plan} on {@code gpu}; {@code tokensPerIteration} is 0 when unknown (a graph file). */
    public static PipelineCandidate candidate(PipelinePlan plan, GpuSpec gpu, double tokensPerIteration) {
        List<InstructionTime> forward = times(plan, Phase.FORWARD);
        List<InstructionTime> backward = times(plan, Phase.BACKWARD);
        List<Integer> devices = new ArrayList<>();
        double slowestUpdate = plan.stages().stream().mapToDouble(s -> s.cost().updateSeconds()).max().orElse(0);
        double updateJoules = 0;
        for (PipelineStage s : plan.stages()) {
            int n = s.mesh().deviceCount();
            devices.add(n);
            double u = s.cost().updateSeconds();
            double busy = u > 0 ? DvfsEnergyModel.estimate(gpu, new InstructionTime(0, u), gpu.maxClockMhz()).energyJoules() : 0;
            updateJoules += n * (busy + gpu.staticWatts() * (slowestUpdate - u));
        }
        Profile profile = DvfsEnergyModel.profileOfTimes(gpu, forward, backward);
        String name = String.format(Locale.ROOT, "%d stage%s x %d microbatch%s%s", plan.stages().size(), plan.stages().size() == 1 ? "" : "s",
                plan.microbatches(), plan.microbatches() == 1 ? "" : "es", plan.method().startsWith("auto") && !plan.method().contains("megatron")
                        ? "" : " (" + plan.method().replace("auto: ", "") + ")");
        return new PipelineCandidate(name, profile, devices, plan.microbatches(), PipelineSchedule.fromCliName(plan.schedule().cliName()),
                slowestUpdate, updateJoules, tokensPerIteration);
    }

    /**
     * Each stage's forward ({@code phase} FORWARD) or backward time at the highest clock by the planner's cost model, split
     * into the part the SM clock speeds up and the part it does not.
     */
    public static List<InstructionTime> times(PipelinePlan plan, Phase phase) {
        List<InstructionTime> out = new ArrayList<>();
        for (PipelineStage s : plan.stages()) {
            double[] clockBound = clockBoundSeconds(s);
            out.add(phase == Phase.FORWARD ? split(s, Phase.FORWARD, s.cost().forwardSeconds(), clockBound[0])
                    : split(s, Phase.BACKWARD, s.cost().backwardSeconds(), clockBound[1]));
        }
        return out;
    }

    /** The frontier's time quantum for {@code plan}: fine enough for its shortest computation, coarse enough for its length. */
    public static double quantumSeconds(PipelinePlan plan) {
        double shortest = Double.POSITIVE_INFINITY;
        for (PipelineStage s : plan.stages()) {
            shortest = Math.min(shortest, Math.min(s.cost().forwardSeconds(), s.cost().backwardSeconds()));
        }
        return Math.max(shortest / QUANTA_PER_COMPUTATION, plan.pipelineSeconds() / QUANTA_PER_PIPELINE);
    }

    private static InstructionTime split(PipelineStage s, Phase phase, double total, double clockBound) {
        if (!(total > 0)) {
            throw new IllegalStateException("stage " + s.index() + " has no " + phase.name().toLowerCase(Locale.ROOT) + " time to model");
        }
        double compute = Math.min(clockBound, total);
        return new InstructionTime(compute, total - compute);
    }

    /** Forward and backward seconds of the stage's matrix products: what the SM clock speeds up. */
    private static double[] clockBoundSeconds(PipelineStage s) {
        double[] out = new double[2];
        for (Node n : s.plan().graph().nodes()) {
            if (n.op() instanceof MatmulOp.MatMul && n.phase() != Phase.UPDATE) {
                out[n.phase() == Phase.FORWARD ? 0 : 1] += s.plan().strategy(n.id()).computeCost();
            }
        }
        return out;
    }
}
