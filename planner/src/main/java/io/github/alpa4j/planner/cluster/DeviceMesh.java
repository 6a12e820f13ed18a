package io.github.alpa4j.planner.cluster;

import io.github.alpa4j.planner.PlanningException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A logical 2-D mesh of devices (Alpa's LogicalDeviceMesh): {@code shape[0] x shape[1]} devices in
 * row-major order, with the alpha-beta link of each axis. Axis 1 runs along consecutive devices, so
 * on a cluster it stays inside a host as long as it fits there; an axis whose device groups span
 * hosts gets the inter-host link.
 */
public record DeviceMesh(int rows, int cols, List<Integer> devices, Link axis0, Link axis1, GpuSpec gpu, CommProfile comm) {
    private static final Pattern SHAPE = Pattern.compile("(\\d+)\\s*[xX]\\s*(\\d+)|(\\d+)");

    /** A mesh whose collectives follow its two axes' links. */
    public DeviceMesh(int rows, int cols, List<Integer> devices, Link axis0, Link axis1, GpuSpec gpu) {
        this(rows, cols, devices, axis0, axis1, gpu, null);
    }

    public DeviceMesh {
        devices = List.copyOf(devices);
        if (rows < 1 || cols < 1 || devices.size() != rows * cols) {
            throw new IllegalArgumentException("mesh " + rows + "x" + cols + " needs " + rows * cols + " devices, got " + devices.size());
        }
    }

    /** The first {@code rows * cols} devices of {@code cluster} as a mesh. */
    public static DeviceMesh of(Cluster cluster, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new PlanningException("mesh " + rows + "x" + cols + " has no devices; give positive sizes such as 2x4");
        }
        long need = (long) rows * cols;
        if (need > cluster.deviceCount()) {
            throw new PlanningException("mesh " + rows + "x" + cols + " needs " + need + " devices but cluster "
                    + cluster + " has " + cluster.deviceCount() + "; use a smaller --mesh or more --hosts");
        }
        List<Integer> ids = new ArrayList<>();
        for (int d = 0; d < need; d++) {
            ids.add(d);
        }
        return over(cluster, rows, cols, ids, rows * cols);
    }

    /**
     * A {@code rows x cols} mesh over the given devices of {@code cluster} in row-major order (a pipeline
     * stage's submesh); each axis gets the inter-host link if any of its device groups spans hosts. Its
     * devices cost ops as the cluster's do with every device of the cluster busy (a pipeline's stages
     * all work at once), up to the machine's saturation: stages beyond it take turns on the machine between
     * their waits for one another, which {@link io.github.alpa4j.planner.stage.PipelinePlan#pipelineSeconds()}
     * counts. Its collectives are those measured with every device busy.
     */
    public static DeviceMesh over(Cluster cluster, int rows, int cols, List<Integer> devices) {
        return over(cluster, rows, cols, devices, cluster.deviceCount());
    }

    private static DeviceMesh over(Cluster cluster, int rows, int cols, List<Integer> devices, int busy) {
        if (devices.size() != rows * cols) {
            throw new IllegalArgumentException("mesh " + rows + "x" + cols + " needs " + rows * cols + " devices, got " + devices.size());
        }
        for (int d : devices) {
            if (d < 0 || d >= cluster.deviceCount()) {
                throw new IllegalArgumentException("device " + d + " is not in cluster " + cluster);
            }
        }
        boolean span0 = spansHosts(cluster, devices, rows, cols, 0);
        boolean span1 = spansHosts(cluster, devices, rows, cols, 1);
        Link l0 = span0 ? cluster.interHost() : cluster.intraHost();
        Link l1 = span1 ? cluster.interHost() : cluster.intraHost();
        // a profile measures one host's collectives: they apply to meshes inside a host, as measured with as
        // many devices busy as this mesh's plan keeps busy
        int computing = devices.size() == busy ? busy : Math.min(busy, cluster.gpu().cost().saturation());
        GpuSpec gpu = cluster.gpu().withCost(cluster.gpu().cost().whenBusy(computing));
        CommProfile comm = span0 || span1 || cluster.comm() == null ? null : cluster.comm().whenBusy(busy, rows, cols);
        return new DeviceMesh(rows, cols, devices, l0, l1, gpu, comm);
    }

    /** Parses {@code "2x4"} (or {@code "4"} for a 1x4 mesh) against {@code cluster}. */
    public static DeviceMesh parse(Cluster cluster, String shape) {
        Matcher m = SHAPE.matcher(shape.trim());
        if (!m.matches()) {
            throw new PlanningException("--mesh: cannot read mesh shape '" + shape + "'; write ROWSxCOLS such as 2x4");
        }
        try {
            if (m.group(3) != null) {
                return of(cluster, 1, Integer.parseInt(m.group(3)));
            }
            return of(cluster, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new PlanningException("mesh shape '" + shape + "' is too large; write ROWSxCOLS such as 2x4");
        }
    }

    /** A mesh of abstract devices with the given links, for tests and what-if planning. */
    public static DeviceMesh uniform(int rows, int cols, Link axis0, Link axis1, GpuSpec gpu) {
        List<Integer> ids = new ArrayList<>();
        for (int d = 0; d < rows * cols; d++) {
            ids.add(d);
        }
        return new DeviceMesh(rows, cols, ids, axis0, axis1, gpu);
    }

    private static boolean spansHosts(Cluster c, List<Integer> ids, int rows, int cols, int axis) {
        int groups = axis == 0 ? cols : rows;
        int len = axis == 0 ? rows : cols;
        for (int g = 0; g < groups; g++) {
            int first = axis == 0 ? g : g * cols;
            int stride = axis == 0 ? cols : 1;
            for (int i = 1; i < len; i++) {
                if (c.hostOf(ids.get(first + i * stride)) != c.hostOf(ids.get(first))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Number of devices along {@code axis} (0 or 1). */
    public int size(int axis) {
        return switch (axis) {
            case 0 -> rows;
            case 1 -> cols;
            default -> throw new IllegalArgumentException("mesh axis must be 0 or 1, got " + axis);
        };
    }

    public int deviceCount() {
        return rows * cols;
    }

    public Link link(int axis) {
        return axis == 0 ? axis0 : axis1;
    }

    /** The device at mesh coordinates (r, c). */
    public int device(int r, int c) {
        return devices.get(r * cols + c);
    }

    @Override
    public String toString() {
        return rows + "x" + cols;
    }
}
