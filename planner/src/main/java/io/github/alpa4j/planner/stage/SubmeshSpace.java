package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.cluster.Cluster;
import java.util.ArrayList;
import java.util.List;

/**
 * The physical submeshes a stage may take (REFERENCES §2): (1, 2^k) inside one host, and whole hosts.
 * Inside a host only powers of two that divide the host's GPU count are offered: such sizes always
 * pack the cluster exactly whenever their total equals its device count (see {@link DeviceAllocation}).
 */
public enum SubmeshSpace {
    /** Alpa's default: (1, 2^k) inside a host and (2^j, M) whole hosts. */
    POWER_OF_TWO,
    /** (1, 2^k) inside a host and (n, M) for every host count n. */
    ALL;

    /** The submeshes of {@code cluster}, smallest first. */
    public List<Submesh> of(Cluster cluster) {
        int m = cluster.gpusPerHost();
        List<Submesh> out = new ArrayList<>();
        for (int g = 1; g < m; g *= 2) {
            if (m % g == 0) {
                out.add(new Submesh(1, g));
            }
        }
        for (int n = 1; n <= cluster.hosts(); n = this == POWER_OF_TWO ? 2 * n : n + 1) {
            out.add(new Submesh(n, m));
        }
        return out;
    }
}
