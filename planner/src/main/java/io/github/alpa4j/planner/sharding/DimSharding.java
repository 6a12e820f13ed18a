package io.github.alpa4j.planner.sharding;

/**
 * How one tensor dimension lies on the mesh: replicated, or split over axis 0, axis 1, or both
 * (S01: axis 0 major, axis 1 minor, so device (r, c) holds block r·n1 + c). Alpa's S10 order is not used.
 */
public enum DimSharding {
    R(MeshAxes.NONE), S0(MeshAxes.AXIS0), S1(MeshAxes.AXIS1), S01(MeshAxes.BOTH);

    private final MeshAxes axes;

    DimSharding(MeshAxes axes) {
        this.axes = axes;
    }

    public MeshAxes axes() {
        return axes;
    }

    public static DimSharding of(MeshAxes axes) {
        return values()[axes.mask()];
    }

    public boolean isSplit() {
        return this != R;
    }

    /** The innermost axis of the split (the one a single all-gather can undo); -1 for R. */
    public int minorAxis() {
        return switch (this) {
            case R -> -1;
            case S0 -> 0;
            case S1, S01 -> 1;
        };
    }

    /** This split without its minor axis. */
    public DimSharding withoutMinor() {
        return this == S01 ? S0 : R;
    }

    /** This split further divided along {@code axis} as the new minor axis, or null if that order is not S01. */
    public DimSharding plusMinor(int axis) {
        if (this == R) {
            return axis == 0 ? S0 : S1;
        }
        return this == S0 && axis == 1 ? S01 : null;
    }

    /** True if the axes of this split are a leading part of {@code target}'s, in order (so slicing can reach it). */
    public boolean isPrefixOf(DimSharding target) {
        return this == R || this == target || (this == S0 && target == S01);
    }

    /** The axis that follows this split's axes in {@code target}'s order. */
    public int nextAxisTowards(DimSharding target) {
        if (this == R) {
            return target == S1 ? 1 : 0;
        }
        return 1;
    }
}
