package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.profile.ExecutionOption;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.TimeEnergyCurve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Discovers a pipeline's iteration time–energy frontier the way Perseus does (REFERENCES.md §3,
 * "Frontier"), after Phillips &amp; Dessouky (1977): start with every computation at its
 * least-energy duration; repeatedly take the critical sub-DAG, bound each critical computation's
 * flow below by the energy saved by slowing it one quantum τ and above by the energy added by
 * speeding it one quantum, find the minimum s–t cut, speed up the computations on its forward
 * arcs and slow down those on its backward arcs by τ; stop when no finite cut remains (some
 * critical path runs all at its fastest). Each step shortens the iteration by exactly τ at the
 * least energy the fitted convex curves allow.
 *
 * <p>Between steps only the cut's computations change, and the work follows: longest paths are
 * updated from them ({@link LongestPaths}), the energy by their differences, the point stores only
 * them, and while the critical sub-DAG keeps its shape the previous maximum flow is augmented
 * ({@link AugmentingPaths}) instead of solved again from scratch ({@link TwoPhaseMaxFlow}).
 */
public final class PhillipsDessouky {
    private final PipelineDag dag;
    private final FittedProfile profile;
    private final TimeEnergyCurve[] curves;
    private final int[] edgeIndex;
    private final int edgeCount;
    private final double energyScale;

    public PhillipsDessouky(PipelineDag dag, FittedProfile profile) {
        if (profile.stageCount() != dag.stages()) {
            throw new EnergyInputException("the profile covers " + profile.stageCount() + " stages but the pipeline has "
                    + dag.stages());
        }
        this.dag = dag;
        this.profile = profile;
        int n = dag.size();
        this.curves = new TimeEnergyCurve[n];
        this.edgeIndex = new int[n];
        int edges = 0;
        for (int i = 0; i < n; i++) {
            Computation c = dag.computation(i);
            curves[i] = profile.curve(c.stage(), c.instruction());
            edgeIndex[i] = edges;
            edges += dag.successorCount(i);
        }
        this.edgeCount = edges;
        this.energyScale = energyScale(curves);
    }

    /**
     * The largest energy, raw or effective, of any option the computations may run: the size of
     * the numbers whose differences bound the flow, so what rounding in them amounts to.
     */
    private static double energyScale(TimeEnergyCurve[] curves) {
        double largest = 0;
        for (TimeEnergyCurve curve : curves) {
            for (ExecutionOption option : curve.options()) {
                largest = Math.max(largest, Math.max(Math.abs(option.energyJoules()),
                        Math.abs(option.effectiveEnergyJoules())));
            }
        }
        // A profile of zero energies has nothing to round; any positive scale serves it.
        return largest > 0 ? largest : 1;
    }

    /** Convenience for {@code new PhillipsDessouky(dag, profile).run()}. */
    public static Frontier frontier(PipelineDag dag, FittedProfile profile) {
        return new PhillipsDessouky(dag, profile).run();
    }

    /**
     * How many steps {@link #run} takes, known before it starts: each shortens the iteration by one
     * quantum, from every computation at its least-energy duration down to every one at its fastest.
     */
    public long steps() {
        long[] fastest = new long[dag.size()];
        for (int i = 0; i < dag.size(); i++) {
            fastest[i] = curves[i].minQuanta();
        }
        return new LongestPaths(dag, leastEnergyDurations()).makespan() - new LongestPaths(dag, fastest).makespan();
    }

    /** Every computation's least-energy duration; computations of one (stage, instruction) share a curve, searched once. */
    private long[] leastEnergyDurations() {
        java.util.Map<TimeEnergyCurve, Long> least = new java.util.IdentityHashMap<>();
        long[] d = new long[dag.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = least.computeIfAbsent(curves[i], TimeEnergyCurve::leastEnergyQuanta);
        }
        return d;
    }

    /** Hears how many steps of the frontier are done, after each. */
    @FunctionalInterface
    public interface Progress {
        void stepsDone(long steps);
    }

    /**
     * The frontier from the least-energy point to the fastest, one quantum per step. Each step
     * names lowtime's: find the critical sub-DAG, annotate its capacities, find the minimum cut,
     * reduce the durations across it.
     */
    public Frontier run() {
        return run(done -> { });
    }

    /** {@link #run()}, telling {@code progress} after every step. */
    public Frontier run(Progress progress) {
        Search search = new Search();
        List<FrontierPoint> points = new ArrayList<>();
        List<int[]> spedUp = new ArrayList<>();
        List<int[]> slowedDown = new ArrayList<>();
        points.add(point(0, search.paths.makespan(), search.energy));
        while (true) {
            boolean reshaped = search.findCriticalDag();
            search.annotateCapacities(reshaped);
            Optional<Cut> cut = search.findMinCut(reshaped);
            if (cut.isEmpty()) {
                break; // some critical path runs all at its fastest
            }
            search.reduceDurations(cut.get());
            spedUp.add(cut.get().spedUp());
            slowedDown.add(cut.get().slowedDown());
            points.add(point(points.size(), search.paths.makespan(), search.energy));
            progress.stepsDone(points.size() - 1);
        }
        return new Frontier(dag, profile, search.initial, points, spedUp, slowedDown);
    }

    /** The state of one run: durations, their longest paths and energy, the critical sub-DAG and its network. */
    private final class Search {
        final int n = dag.size();
        final long[] durations = new long[n];
        final long[] initial;
        final LongestPaths paths;
        double energy;
        final boolean[] critical = new boolean[n];
        final boolean[] edgeCritical = new boolean[edgeCount];
        final boolean[] previousCritical = new boolean[n];
        final boolean[] previousEdgeCritical = new boolean[edgeCount];
        /** Flow bounds by computation, for a network built from scratch. */
        final double[] lower = new double[n];
        final double[] upper = new double[n];
        /** The computations the last cut changed. */
        final int[] changed = new int[n];
        int changedCount;
        CriticalNetwork network;

        /** Every computation at its least-energy duration. */
        Search() {
            long[] least = leastEnergyDurations();
            for (int i = 0; i < n; i++) {
                durations[i] = least[i];
                energy += curves[i].energy(durations[i]);
            }
            initial = durations.clone();
            paths = new LongestPaths(dag, durations);
        }

        /** Marks the critical computations and edges; true when they differ from the last step's (or there was none). */
        boolean findCriticalDag() {
            for (int i = 0; i < n; i++) {
                critical[i] = paths.isCritical(i);
                for (int k = 0; k < dag.successorCount(i); k++) {
                    edgeCritical[edgeIndex[i] + k] = critical[i] && paths.isCritical(i, dag.successor(i, k));
                }
            }
            return network == null || !Arrays.equals(critical, previousCritical) || !Arrays.equals(edgeCritical, previousEdgeCritical);
        }

        /**
         * Bounds every critical computation's flow by the energy of slowing and of speeding it one
         * quantum: on a new network when the critical sub-DAG changed shape, else on the last
         * step's network for the computations the last cut changed (the others kept their bounds).
         */
        void annotateCapacities(boolean reshaped) {
            if (reshaped) {
                for (int i = 0; i < n; i++) {
                    if (critical[i]) {
                        bounds(i, durations[i], lower, upper, i);
                    }
                }
                network = CriticalNetwork.of(dag, critical, edgeCritical, edgeIndex, lower, upper, energyScale);
                System.arraycopy(critical, 0, previousCritical, 0, n);
                System.arraycopy(edgeCritical, 0, previousEdgeCritical, 0, edgeCount);
            } else {
                for (int k = 0; k < changedCount; k++) {
                    int i = changed[k];
                    bounds(i, durations[i], network.lower, network.upper, network.activityArc(i));
                }
            }
        }

        /**
         * The minimum s–t cut, empty when none is finite: a maximum flow from scratch on a new
         * network ({@link TwoPhaseMaxFlow}), else the last step's flow, repaired and augmented
         * ({@link AugmentingPaths}).
         */
        Optional<Cut> findMinCut(boolean reshaped) {
            Optional<boolean[]> sourceSide = reshaped ? TwoPhaseMaxFlow.solve(network) : AugmentingPaths.maximise(network);
            return sourceSide.map(network::cut);
        }

        /** Speeds up the cut's forward computations and slows its backward ones by one quantum: one quantum shorter. */
        void reduceDurations(Cut cut) {
            changedCount = 0;
            for (int i : cut.spedUp()) {
                energy += curves[i].energy(durations[i] - 1) - curves[i].energy(durations[i]);
                durations[i]--;
                changed[changedCount++] = i;
            }
            for (int i : cut.slowedDown()) {
                energy += curves[i].energy(durations[i] + 1) - curves[i].energy(durations[i]);
                durations[i]++;
                changed[changedCount++] = i;
            }
            long before = paths.makespan();
            paths.update(changed, changedCount);
            if (paths.makespan() != before - 1) {
                throw new IllegalStateException("a Phillips–Dessouky step changed the iteration time from " + before
                        + " to " + paths.makespan() + " quanta; it must shorten it by exactly one");
            }
        }
    }

    /**
     * Flow bounds of computation i at duration d, written at {@code slot}: energy saved by slowing
     * it one quantum, added by speeding it one.
     */
    private void bounds(int i, long d, double[] lower, double[] upper, int slot) {
        TimeEnergyCurve curve = curves[i];
        lower[slot] = d < curve.maxQuanta() ? curve.energy(d) - curve.energy(d + 1) : Double.NEGATIVE_INFINITY;
        upper[slot] = d > curve.minQuanta() ? curve.energy(d - 1) - curve.energy(d) : Double.POSITIVE_INFINITY;
    }

    private FrontierPoint point(int index, long quanta, double computationEnergy) {
        double time = quanta * profile.tauSeconds();
        double blocking = dag.stages() * time * profile.blockingWatts();
        return new FrontierPoint(index, quanta, time, computationEnergy + blocking, computationEnergy);
    }
}
