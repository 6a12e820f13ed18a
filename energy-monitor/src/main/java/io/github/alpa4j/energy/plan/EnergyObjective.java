package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.frontier.FrontierPoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses a pipeline plan and its clocks for energy as well as time: of every candidate's frontier points
 * (and each candidate with every clock at its highest, which needs no frequency plan), the one with the
 * least joules per iteration whose iteration time is within {@code 1 + S} of the fastest candidate's
 * fastest time. With one candidate and S = 0 this is Perseus's choice without a straggler (REFERENCES.md
 * §3); with several, the plan itself is chosen for energy, which neither Alpa nor Perseus does.
 */
public final class EnergyObjective {
    /** The most slowdown a user may allow: ten times the fastest iteration. */
    public static final double MAX_SLOWDOWN = 10;

    private EnergyObjective() {
    }

    /**
     * One way to run one candidate.
     *
     * @param candidate index into the frontiers chosen among
     * @param point index of the frontier point, or -1 for every clock at its highest
     * @param seconds seconds per iteration
     * @param joules joules per iteration, every GPU of the plan
     */
    public record Option(int candidate, int point, double seconds, double joules) {
        public boolean atMaximumFrequency() {
            return point < 0;
        }
    }

    /**
     * The choice, and what it was chosen from.
     *
     * @param frontiers every candidate's frontier, fastest plan first as given
     * @param fastestSeconds the fastest candidate's fastest iteration
     * @param maxSlowdown S
     * @param chosen the least-energy option within {@code (1 + S)·fastestSeconds}
     */
    public record Choice(List<CandidateFrontier> frontiers, double fastestSeconds, double maxSlowdown, Option chosen) {
        public Choice {
            frontiers = List.copyOf(frontiers);
        }

        public double boundSeconds() {
            return (1 + maxSlowdown) * fastestSeconds;
        }

        public CandidateFrontier chosenFrontier() {
            return frontiers.get(chosen.candidate());
        }

        /** Tokens per joule of the chosen option; 0 when the candidate does not know its tokens. */
        public double tokensPerJoule() {
            return chosenFrontier().candidate().tokensPerIteration() / chosen.joules();
        }

        /** The saving of the chosen option against its own plan with every clock at its highest, in percent. */
        public double savingPercent() {
            double base = chosenFrontier().baselineJoules();
            return 100 * (base - chosen.joules()) / base;
        }

        /** Each stage's clocks, instruction by instruction in schedule order (every GPU of a stage runs its stage's plan). */
        public List<FrequencyPlan> frequencyPlans() {
            return EnergyObjective.frequencyPlans(chosenFrontier(), chosen.point());
        }
    }

    /** The frontier of each candidate, then the choice among them. */
    public static Choice choose(List<PipelineCandidate> candidates, double tauSeconds, double blockingWatts,
                                io.github.alpa4j.energy.profile.Dominance dominance, double maxSlowdown) {
        checkSlowdown(maxSlowdown);
        List<CandidateFrontier> frontiers = new ArrayList<>();
        for (PipelineCandidate c : candidates) {
            frontiers.add(CandidateFrontier.solve(c, tauSeconds, blockingWatts, dominance));
        }
        return choose(frontiers, maxSlowdown);
    }

    /** The least-energy option within {@code (1 + maxSlowdown)} of the fastest; ties go to the faster option. */
    public static Choice choose(List<CandidateFrontier> frontiers, double maxSlowdown) {
        checkSlowdown(maxSlowdown);
        if (frontiers.isEmpty()) {
            throw new IllegalArgumentException("no candidate pipelines to choose from");
        }
        double fastest = frontiers.stream().mapToDouble(CandidateFrontier::fastestSeconds).min().orElseThrow();
        double bound = (1 + maxSlowdown) * fastest + CandidateFrontier.TIME_SLACK_SECONDS;
        Option best = null;
        for (int c = 0; c < frontiers.size(); c++) {
            for (Option o : options(frontiers.get(c), c)) {
                if (o.seconds() <= bound && (best == null || o.joules() < best.joules()
                        || o.joules() == best.joules() && o.seconds() < best.seconds())) {
                    best = o;
                }
            }
        }
        return new Choice(frontiers, fastest, maxSlowdown, best);
    }

    /** Every way to run candidate {@code index}: each frontier point, and every clock at its highest. */
    public static List<Option> options(CandidateFrontier f, int index) {
        List<Option> out = new ArrayList<>();
        out.add(new Option(index, -1, f.fastestSeconds(), f.baselineJoules()));
        for (FrontierPoint p : f.frontier().points()) {
            out.add(new Option(index, p.index(), f.iterationSeconds(p), f.iterationJoules(p)));
        }
        return out;
    }

    private static void checkSlowdown(double s) {
        if (!(s >= 0) || !(s <= MAX_SLOWDOWN)) {
            throw new EnergyInputException("--max-slowdown must be a fraction from 0 to " + (int) MAX_SLOWDOWN + " (0.05 is 5 %), got " + s);
        }
    }

    /** Each stage's clocks at {@code point} (-1: the highest measured), instruction by instruction in schedule order. */
    static List<FrequencyPlan> frequencyPlans(CandidateFrontier f, int point) {
        var dag = f.frontier().dag();
        var profile = f.candidate().profile();
        int[] mhz = point < 0 ? null : f.frontier().frequencies(point);
        List<FrequencyPlan> out = new ArrayList<>();
        for (int s = 0; s < dag.stages(); s++) {
            List<FrequencyPlan.Step> steps = new ArrayList<>();
            for (Computation c : dag.schedule().stageOrder(dag.stages(), dag.microbatches(), s)) {
                int clock = mhz == null ? profile.atMaximumFrequency(c.stage(), c.instruction()).frequencyMhz() : mhz[dag.indexOf(c)];
                steps.add(new FrequencyPlan.Step(c.toString(), clock));
            }
            out.add(new FrequencyPlan(steps));
        }
        return out;
    }
}
