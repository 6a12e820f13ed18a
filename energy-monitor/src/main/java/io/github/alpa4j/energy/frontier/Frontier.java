package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.TimeEnergyCurve;

import java.util.ArrayList;
import java.util.List;

/**
 * The iteration time–energy frontier of one pipeline, from the least-energy assignment (slowest)
 * to the all-fastest one. Point k differs from point k−1 by the computations its step sped up and
 * slowed down; durations and frequencies of a point are replayed from those steps on demand, so
 * thousands of points cost little memory.
 */
public final class Frontier {
    private final PipelineDag dag;
    private final FittedProfile profile;
    private final long[] initialDurations;
    private final List<FrontierPoint> points;
    private final List<int[]> spedUp;
    private final List<int[]> slowedDown;

    Frontier(PipelineDag dag, FittedProfile profile, long[] initialDurations, List<FrontierPoint> points,
             List<int[]> spedUp, List<int[]> slowedDown) {
        this.dag = dag;
        this.profile = profile;
        this.initialDurations = initialDurations.clone();
        this.points = List.copyOf(points);
        this.spedUp = List.copyOf(spedUp);
        this.slowedDown = List.copyOf(slowedDown);
    }

    public PipelineDag dag() {
        return dag;
    }

    public FittedProfile profile() {
        return profile;
    }

    /** Every step, slowest first: time falls by one quantum per point. */
    public List<FrontierPoint> points() {
        return points;
    }

    public FrontierPoint slowest() {
        return points.get(0);
    }

    public FrontierPoint fastest() {
        return points.get(points.size() - 1);
    }

    /**
     * The points no faster-or-equal point beats on energy: for every time, the best point at or
     * under it. Their energy never rises as the allowed time grows.
     */
    public List<FrontierPoint> paretoPoints() {
        List<FrontierPoint> kept = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int k = points.size() - 1; k >= 0; k--) {
            FrontierPoint p = points.get(k);
            if (p.energyJoules() < best) {
                kept.add(p);
                best = p.energyJoules();
            }
        }
        return kept.reversed();
    }

    /** Assigned duration of every computation (by DAG index) at a point, in quanta. */
    public long[] durations(int pointIndex) {
        long[] d = initialDurations.clone();
        for (int k = 0; k < pointIndex; k++) {
            for (int i : spedUp.get(k)) {
                d[i]--;
            }
            for (int i : slowedDown.get(k)) {
                d[i]++;
            }
        }
        return d;
    }

    /** SM frequency of every computation (by DAG index) at a point: the slowest that meets its duration. */
    public int[] frequencies(int pointIndex) {
        long[] d = durations(pointIndex);
        int[] f = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = curve(i).optionFor(d[i]).frequencyMhz();
        }
        return f;
    }

    /** The fitted curve a computation follows. */
    public TimeEnergyCurve curve(int computation) {
        Computation c = dag.computation(computation);
        return profile.curve(c.stage(), c.instruction());
    }

    @Override
    public String toString() {
        return "Frontier[" + points.size() + " points, " + slowest().timeSeconds() + " s to "
                + fastest().timeSeconds() + " s]";
    }
}
