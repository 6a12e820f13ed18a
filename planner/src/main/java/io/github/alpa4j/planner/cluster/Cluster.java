package io.github.alpa4j.planner.cluster;

import java.nio.file.Path;

/**
 * Hosts of identical GPUs: {@code gpusPerHost} GPUs joined by {@code intraHost} links inside a host,
 * hosts joined by {@code interHost} links. Device {@code d} sits on host {@code d / gpusPerHost}.
 */
public record Cluster(String name, int hosts, int gpusPerHost, GpuSpec gpu, Link intraHost, Link interHost) {
    public Cluster {
        if (hosts < 1 || gpusPerHost < 1) {
            throw new IllegalArgumentException("a cluster needs at least one host and one GPU per host");
        }
    }

    public int deviceCount() {
        return hosts * gpusPerHost;
    }

    public int hostOf(int device) {
        return device / gpusPerHost;
    }

    public Cluster withHosts(int n) {
        return new Cluster(name, n, gpusPerHost, gpu, intraHost, interHost);
    }

    /** Reads a cluster from the JSON format of docs/cluster-json.md. */
    public static Cluster fromJson(Path file) {
        return ClusterJson.read(file);
    }

    @Override
    public String toString() {
        return name + " x " + hosts + " (" + deviceCount() + " x " + gpu.name() + ")";
    }
}
