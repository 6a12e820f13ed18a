package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
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
    public double time(int first, int last, int submesh, int inflight) {
        int s = profile(first, last, submesh, inflight);
        return s < 0 ? Double.POSITIVE_INFINITY : profiles.range(first, last, s).microbatchSeconds();
    }

    /** The fastest profile of {@code submesh} that fits, or -1. */
    int profile(int first, int last, int submesh, int inflight) {
        int best = -1;
        double bestTime = Double.POSITIVE_INFINITY;
        for (int s : profilesOf.get(submesh)) {
            StageCost c = profiles.range(first, last, s);
            if (c.microbatchSeconds() < bestTime && c.memoryBytes(inflight) <= budget) {
                best = s;
                bestTime = c.microbatchSeconds();
            }
        }
        return best;
    }

    @Override
    public double[] candidateTimes() {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < profiles.profiles().size(); s++) {
            for (int i = 0; i < layers; i++) {
                for (int j = i; j < layers; j++) {
                    StageCost c = profiles.range(i, j, s);
                    if (c.memoryBytes(1) <= budget) {
                        out.add(c.microbatchSeconds());
                    }
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
