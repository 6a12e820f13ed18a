package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.cluster.Cluster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Puts each stage's submesh on explicit devices of the cluster, disjoint between stages. Whole-host
 * submeshes take whole hosts; then the in-host submeshes, largest first, take the free GPUs of the first
 * host with room. Their sizes are powers of two dividing the GPUs per host, so each is a multiple of
 * every later one and every host's free GPUs stay one aligned run: the greedy fills the cluster exactly
 * whenever the sizes add up to its device count (Alpa's covering argument). Stages of equal size get
 * devices in pipeline order, so neighbouring stages sit next to each other.
 */
final class DeviceAllocation {
    private DeviceAllocation() {
    }

    /** The devices of each submesh, in the order given, host-major (a host's GPUs consecutive). */
    static List<List<Integer>> place(Cluster cluster, List<Submesh> stages) {
        int m = cluster.gpusPerHost();
        int[] used = new int[cluster.hosts()];
        List<List<Integer>> out = new ArrayList<>(stages.size());
        stages.forEach(s -> out.add(null));
        Integer[] order = IntStream.range(0, stages.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -stages.get(i).devices()));
        int nextHost = 0;
        for (int i : order) {
            Submesh s = stages.get(i);
            List<Integer> ids = new ArrayList<>();
            if (s.gpus() == m) {
                for (int h = 0; h < s.hosts(); h++, nextHost++) {
                    if (nextHost >= cluster.hosts()) {
                        throw new IllegalStateException("submeshes " + stages + " do not fit " + cluster);
                    }
                    used[nextHost] = m;
                    for (int g = 0; g < m; g++) {
                        ids.add(nextHost * m + g);
                    }
                }
            } else {
                int h = nextHost;
                while (h < cluster.hosts() && used[h] + s.gpus() > m) {
                    h++;
                }
                if (h >= cluster.hosts() || s.hosts() != 1) {
                    throw new IllegalStateException("submeshes " + stages + " do not fit " + cluster);
                }
                for (int g = 0; g < s.gpus(); g++) {
                    ids.add(h * m + used[h] + g);
                }
                used[h] += s.gpus();
            }
            out.set(i, ids);
        }
        return out;
    }
}
