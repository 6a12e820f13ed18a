package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.cli.FrontierReport;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.plan.ChosenPlan;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.plan.PlanChoice;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;
import java.util.ArrayList;
import java.util.List;

/**
 * The frontier of the pipeline a run trains, solved once (Perseus's server), and the point a deadline picks from it:
 * its frequency plan for the stage controllers and each stage's predicted joules per iteration.
 */
public final class LiveFrontier {
    /** The quantum is at most this fraction of the shortest computation, so that each stage has room to slow down. */
    static final double QUANTA_PER_COMPUTATION = 100;

    private final Profile profile;
    private final Frontier frontier;
    private final String gpuName;

    private LiveFrontier(Profile profile, Frontier frontier, String gpuName) {
        this.profile = profile;
        this.frontier = frontier;
        this.gpuName = gpuName;
    }

    /**
     * The frontier of {@code profile} for {@code microbatches} microbatches under {@code schedule}, idle GPUs drawing
     * {@code blockingWatts}; the quantum a hundredth of the shortest computation, coarsened until the solve fits
     * {@link FrontierReport#MAX_WORK}.
     */
    public static LiveFrontier solve(Profile profile, int microbatches, PipelineSchedule schedule, double blockingWatts, String gpuName) {
        int stages = profile.stageCount();
        long computations = 2L * stages * microbatches;
        if (computations > FrontierReport.MAX_COMPUTATIONS) {
            throw new EnergyInputException(stages + " stages x " + microbatches + " microbatches are " + computations
                    + " computations; the frontier is solved for at most " + FrontierReport.MAX_COMPUTATIONS);
        }
        double shortest = Double.POSITIVE_INFINITY;
        for (int s = 0; s < stages; s++) {
            for (Instruction i : Instruction.values()) {
                shortest = Math.min(shortest, profile.atMaximumFrequency(s, i).timeSeconds());
            }
        }
        double tau = shortest / QUANTA_PER_COMPUTATION;
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        while (true) {
            FittedProfile fitted = FittedProfile.fit(profile, tau, blockingWatts, Dominance.EFFECTIVE_ENERGY);
            PhillipsDessouky solver = new PhillipsDessouky(dag, fitted);
            if ((double) solver.steps() * computations <= FrontierReport.MAX_WORK) {
                return new LiveFrontier(profile, solver.run(), gpuName);
            }
            tau *= 2;
        }
    }

    public Frontier frontier() {
        return frontier;
    }

    public Profile profile() {
        return profile;
    }

    public double fastestSeconds() {
        return frontier.fastest().timeSeconds();
    }

    /**
     * A frontier point to run and what it predicts.
     *
     * @param chosen      the point (or every computation at its highest clock, when no point saves)
     * @param frequencies its clocks, each stage's in its schedule's order
     * @param stageJoules each stage's predicted joules per iteration (its GPU drawing P_block while idle, up to the deadline)
     * @param stageJoulesAtMaxClock the same with every computation at its highest clock, over the same deadline
     */
    public record Point(ChosenPlan chosen, PlanFrequencies frequencies, double[] stageJoules, double[] stageJoulesAtMaxClock) {
    }

    /** The least-energy point within {@code deadline} (PlanChoice); a straggler faster than the fastest point gets the fastest. */
    public Point choose(Deadline deadline) {
        if (deadline instanceof Deadline.Straggler s && s.seconds() < fastestSeconds()) {
            deadline = new Deadline.NoStraggler();
        }
        ChosenPlan c = PlanChoice.choose(frontier, profile, deadline);
        PipelineDag dag = frontier.dag();
        int[] f = c.frequenciesMhz().stream().mapToInt(Integer::intValue).toArray();
        int[] max = new int[dag.size()];
        for (int i = 0; i < dag.size(); i++) {
            Computation comp = dag.computation(i);
            max[i] = profile.atMaximumFrequency(comp.stage(), comp.instruction()).frequencyMhz();
        }
        double blocking = frontier.profile().blockingWatts();
        return new Point(c, frequencies(dag, f, gpuName), stageJoules(dag, profile, f, blocking, c.deadlineSeconds()),
                stageJoules(dag, profile, max, blocking, c.deadlineSeconds()));
    }

    /** The clocks {@code mhz} (by DAG index) as each stage's frequency plan, in its schedule's order. */
    static PlanFrequencies frequencies(PipelineDag dag, int[] mhz, String gpuName) {
        List<FrequencyPlan> stages = new ArrayList<>();
        for (int s = 0; s < dag.stages(); s++) {
            List<FrequencyPlan.Step> steps = new ArrayList<>();
            for (Computation c : dag.schedule().stageOrder(dag.stages(), dag.microbatches(), s)) {
                steps.add(new FrequencyPlan.Step(StageClocks.id(s, c.microbatch(), pass(c.instruction())), mhz[dag.indexOf(c)]));
            }
            stages.add(new FrequencyPlan(steps));
        }
        return new PlanFrequencies(gpuName, dag.microbatches(), stages);
    }

    /** Each stage's {@code Σ E(f) + P_block · (deadline − Σ t(f))} over its computations (MeasuredEnergy, stage by stage). */
    static double[] stageJoules(PipelineDag dag, Profile profile, int[] mhz, double blockingWatts, double deadlineSeconds) {
        double[] joules = new double[dag.stages()];
        double[] busy = new double[dag.stages()];
        for (int i = 0; i < dag.size(); i++) {
            Computation c = dag.computation(i);
            Measurement m = nearest(profile, c.stage(), c.instruction(), mhz[i]);
            joules[c.stage()] += m.energyJoules();
            busy[c.stage()] += m.timeSeconds();
        }
        for (int s = 0; s < joules.length; s++) {
            joules[s] += blockingWatts * Math.max(0, deadlineSeconds - busy[s]);
        }
        return joules;
    }

    /** The profile's row of the clock nearest {@code mhz} (a plan file may name a clock the model's sweep stopped short of). */
    static Measurement nearest(Profile profile, int stage, Instruction instruction, int mhz) {
        Measurement best = null;
        for (Measurement m : profile.measurements(stage, instruction)) {
            if (best == null || Math.abs(m.frequencyMhz() - mhz) < Math.abs(best.frequencyMhz() - mhz)) {
                best = m;
            }
        }
        if (best == null) {
            throw new IllegalStateException("the profile has no " + instruction.csvName() + " of stage " + stage);
        }
        return best;
    }

    static io.github.alpa4j.planner.stage.PipelineSchedule.Pass pass(Instruction i) {
        return i == Instruction.FORWARD ? io.github.alpa4j.planner.stage.PipelineSchedule.Pass.FORWARD
                : io.github.alpa4j.planner.stage.PipelineSchedule.Pass.BACKWARD;
    }
}
