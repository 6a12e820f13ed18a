package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The stage DP's cost table from layer profiles: the time of a layer range on a submesh is the least
 * over the submesh's profiles (logical shapes and plan methods) whose memory fits when the stage holds
 * the given microbatches.
 */
final class ProfileTable implements StageCostTable {
    private final LayerProfiles profiles;
    private final List<Submesh> submeshes;
    private final List<List<Integer>> profilesOf = new ArrayList<>();
    /** byTime[submesh][first][last - first]: the submesh's profiles, fastest first (then the faster update, then the first listed). */
    private final int[][][][] byTime;
    private final long budget;
    private final int layers;

    ProfileTable(LayerProfiles profiles, List<Submesh> submeshes, int layers, long budget) {
        this.profiles = profiles;
        this.submeshes = submeshes;
        this.budget = budget;
        this.layers = layers;
        for (int m = 0; m < submeshes.size(); m++) {
            profilesOf.add(new ArrayList<>());
        }
        List<Profile> all = profiles.profiles();
        for (int i = 0; i < all.size(); i++) {
            profilesOf.get(all.get(i).submesh()).add(i);
        }
        // the DP asks for a range's fastest profile that fits millions of times: order each range's profiles once
        this.byTime = new int[submeshes.size()][layers][][];
        for (int m = 0; m < submeshes.size(); m++) {
            for (int first = 0; first < layers; first++) {
                byTime[m][first] = new int[layers - first][];
                for (int last = first; last < layers; last++) {
                    int f = first;
                    int l = last;
                    byTime[m][first][last - first] = profilesOf.get(m).stream()
                            .sorted(Comparator.comparingDouble((Integer p) -> profiles.range(f, l, p).microbatchSeconds())
                                    .thenComparingDouble(p -> profiles.range(f, l, p).updateSeconds())
                                    .thenComparingInt(p -> p))
                            .mapToInt(Integer::intValue).toArray();
                }
            }
        }
    }

    @Override
    public int layers() {
        return layers;
    }

    @Override
    public List<Submesh> submeshes() {
        return submeshes;
    }

    @Override
    public double time(int first, int last, int submesh, int inflight, double maxUpdate) {
        int s = profile(first, last, submesh, inflight, maxUpdate);
        return s < 0 ? Double.POSITIVE_INFINITY : profiles.range(first, last, s).microbatchSeconds();
    }

    @Override
    public double update(int first, int last, int submesh, int inflight, double maxUpdate) {
        int s = profile(first, last, submesh, inflight, maxUpdate);
        return s < 0 ? Double.POSITIVE_INFINITY : profiles.range(first, last, s).updateSeconds();
    }

    /** The fastest profile of {@code submesh} that fits and updates within {@code maxUpdate} (the faster update on ties), or -1. */
    int profile(int first, int last, int submesh, int inflight, double maxUpdate) {
        for (int s : byTime[submesh][first][last - first]) {
            StageCost c = profiles.range(first, last, s);
            if (c.memoryBytes(inflight) <= budget && c.updateSeconds() <= maxUpdate) {
                return s;
            }
        }
        return -1;
    }

    @Override
    public double[] candidateTimes() {
        return candidates(true);
    }

    @Override
    public double[] candidateUpdates() {
        return candidates(false);
    }

    /** Stage (or update) times of every range and profile that fits with one microbatch in flight. */
    private double[] candidates(boolean times) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < profiles.profiles().size(); s++) {
            for (int i = 0; i < layers; i++) {
                for (int j = i; j < layers; j++) {
                    StageCost c = profiles.range(i, j, s);
                    if (c.memoryBytes(1) <= budget) {
                        out.add(times ? c.microbatchSeconds() : c.updateSeconds());
                    }
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
