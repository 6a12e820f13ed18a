package io.github.alpa4j.planner.cluster;

import io.github.alpa4j.planner.PlanningException;
import java.nio.file.Path;

/**
 * Hosts of identical GPUs: {@code gpusPerHost} GPUs joined by {@code intraHost} links inside a host,
 * hosts joined by {@code interHost} links. Device {@code d} sits on host {@code d / gpusPerHost}.
 * {@code comm}, where a profile measured it, holds the collectives' own α and β inside a host.
 */
public record Cluster(String name, int hosts, int gpusPerHost, GpuSpec gpu, Link intraHost, Link interHost, CommProfile comm) {
    /** A cluster whose collectives all follow its two links. */
    public Cluster(String name, int hosts, int gpusPerHost, GpuSpec gpu, Link intraHost, Link interHost) {
        this(name, hosts, gpusPerHost, gpu, intraHost, interHost, null);
    }

    /** The most devices a cluster may have: device numbers and mesh sizes stay well inside an int. */
    public static final int MAX_DEVICES = 1 << 16;

    public Cluster {
        if (hosts < 1 || gpusPerHost < 1) {
            throw new IllegalArgumentException("a cluster needs at least one host and one GPU per host");
        }
        if ((long) hosts * gpusPerHost > MAX_DEVICES) {
            throw new PlanningException("cluster " + name + ": " + hosts + " hosts of " + gpusPerHost + " devices make "
                    + (long) hosts * gpusPerHost + " devices; alpa4j plans for at most " + MAX_DEVICES + " (fewer --hosts)");
        }
    }

    public int deviceCount() {
        return hosts * gpusPerHost;
    }

    public int hostOf(int device) {
        return device / gpusPerHost;
    }

    public Cluster withHosts(int n) {
        return new Cluster(name, n, gpusPerHost, gpu, intraHost, interHost, comm);
    }

    /** The same devices and links arranged as {@code hosts} hosts of {@code perHost} devices (a --mesh's ROWS x COLS). */
    public Cluster withShape(int hosts, int perHost) {
        return new Cluster(name, hosts, perHost, gpu, intraHost, interHost, comm);
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
