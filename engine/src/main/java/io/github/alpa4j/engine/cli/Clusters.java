package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.profile.CpuProfile;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import java.io.PrintWriter;

/** What {@code --cluster} names on the command line: a preset, a JSON file, or {@code cpu}, this machine's measured profile. */
final class Clusters {
    private Clusters() {
    }

    static Cluster resolve(String presetOrFile, Integer hosts) {
        if (presetOrFile.equals("cpu")) {
            return CpuProfile.cluster(hosts, new PrintWriter(System.err, true));
        }
        return ClusterPresets.resolve(presetOrFile, hosts);
    }
}
