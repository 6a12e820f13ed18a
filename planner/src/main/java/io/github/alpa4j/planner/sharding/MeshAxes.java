package io.github.alpa4j.planner.sharding;

import io.github.alpa4j.planner.cluster.DeviceMesh;

/** A set of axes of a 2-D mesh, as a bit mask (bit 0: axis 0, bit 1: axis 1). Printed "0", "1", "01". */
public record MeshAxes(int mask) {
    public static final MeshAxes NONE = new MeshAxes(0);
    public static final MeshAxes AXIS0 = new MeshAxes(1);
    public static final MeshAxes AXIS1 = new MeshAxes(2);
    public static final MeshAxes BOTH = new MeshAxes(3);

    public MeshAxes {
        if (mask < 0 || mask > 3) {
            throw new IllegalArgumentException("mesh axes mask must be in [0, 3], got " + mask);
        }
    }

    public static MeshAxes of(int axis) {
        return new MeshAxes(1 << axis);
    }

    public boolean contains(int axis) {
        return (mask & (1 << axis)) != 0;
    }

    public boolean isEmpty() {
        return mask == 0;
    }

    public MeshAxes union(MeshAxes o) {
        return new MeshAxes(mask | o.mask);
    }

    public MeshAxes minus(MeshAxes o) {
        return new MeshAxes(mask & ~o.mask);
    }

    public boolean intersects(MeshAxes o) {
        return (mask & o.mask) != 0;
    }

    /** Devices in one group of a collective over these axes. */
    public int size(DeviceMesh mesh) {
        int n = 1;
        for (int a = 0; a < 2; a++) {
            if (contains(a)) {
                n *= mesh.size(a);
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return switch (mask) {
            case 0 -> "";
            case 1 -> "0";
            case 2 -> "1";
            default -> "01";
        };
    }
}
