package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The time–energy frontier of one candidate pipeline, in whole iterations of the whole plan: every GPU of
 * every stage, and the update after the pipeline.
 *
 * <p>The Perseus DAG has one node per stage and microbatch; a stage on n GPUs is n GPUs running that node
 * at one clock. Its measurements enter the frontier as {@code n·E − (n − 1)·P_block·t}, so that the
 * frontier's effective energy {@code E' − P_block·t} is n times one GPU's: the stage's whole mesh. The
 * GPUs' blocking power is then {@code D·P_block·T} for the plan's D GPUs, not the frontier's one per stage.
 */
public final class CandidateFrontier {
    /** Times within this of a bound count as meeting it (frontier times are whole quanta, rounding aside). */
    static final double TIME_SLACK_SECONDS = 1e-9;

    private final PipelineCandidate candidate;
    private final Frontier frontier;
    private final double blockingWatts;
    private final double baselineJoules;

    private CandidateFrontier(PipelineCandidate candidate, Frontier frontier, double blockingWatts, double baselineJoules) {
        this.candidate = candidate;
        this.frontier = frontier;
        this.blockingWatts = blockingWatts;
        this.baselineJoules = baselineJoules;
    }

    /** The frontier of {@code candidate} with time quantum {@code tauSeconds}; {@code blockingWatts} is one GPU's P_block. */
    public static CandidateFrontier solve(PipelineCandidate candidate, double tauSeconds, double blockingWatts, Dominance dominance) {
        Profile mesh = meshProfile(candidate, blockingWatts);
        FittedProfile fitted = FittedProfile.fit(mesh, tauSeconds, blockingWatts, dominance);
        PipelineDag dag = PipelineDag.build(candidate.stageCount(), candidate.microbatches(), candidate.schedule());
        Frontier frontier = new PhillipsDessouky(dag, fitted).run();
        // every computation at its highest clock, every GPU waiting at P_block up to the fastest point's time
        double effective = 0;
        for (int i = 0; i < dag.size(); i++) {
            Computation c = dag.computation(i);
            Measurement m = mesh.atMaximumFrequency(c.stage(), c.instruction());
            effective += m.energyJoules() - blockingWatts * m.timeSeconds();
        }
        double baseline = effective + candidate.deviceCount() * blockingWatts * frontier.fastest().timeSeconds() + candidate.updateJoules();
        return new CandidateFrontier(candidate, frontier, blockingWatts, baseline);
    }

    /** The candidate's per-GPU profile as its stages' meshes burn it (see the class comment). */
    static Profile meshProfile(PipelineCandidate candidate, double blockingWatts) {
        List<Measurement> rows = new ArrayList<>();
        for (Measurement m : candidate.profile().measurements()) {
            int n = candidate.devicesPerStage().get(m.stage());
            rows.add(new Measurement(m.stage(), m.instruction(), m.frequencyMhz(), m.timeSeconds(),
                    n * m.energyJoules() - (n - 1) * blockingWatts * m.timeSeconds()));
        }
        return new Profile(rows);
    }

    public PipelineCandidate candidate() {
        return candidate;
    }

    public Frontier frontier() {
        return frontier;
    }

    /** Seconds per iteration at a frontier point: the pipeline, then the update. */
    public double iterationSeconds(FrontierPoint p) {
        return p.timeSeconds() + candidate.updateSeconds();
    }

    /** Joules per iteration at a frontier point: the computations, every GPU's P_block while the pipeline runs, the update. */
    public double iterationJoules(FrontierPoint p) {
        return p.computationEnergyJoules() + candidate.deviceCount() * blockingWatts * p.timeSeconds() + candidate.updateJoules();
    }

    /** The plan's fastest iteration: the frontier's fastest point and the update. */
    public double fastestSeconds() {
        return iterationSeconds(frontier.fastest());
    }

    /** Joules per iteration with every computation at its highest clock (no frequency plan), over the fastest time. */
    public double baselineJoules() {
        return baselineJoules;
    }
}
