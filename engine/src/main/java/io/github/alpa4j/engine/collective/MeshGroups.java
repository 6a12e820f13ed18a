package io.github.alpa4j.engine.collective;

import io.github.alpa4j.planner.sharding.MeshAxes;

/**
 * The device groups of a rows × cols mesh, devices numbered by position r·cols + c. Along axis 0 a
 * group is a column, along axis 1 a row, along both the whole mesh; ranks run in block order
 * (for both axes r·cols + c, as an S01 split numbers its blocks).
 */
public record MeshGroups(int rows, int cols) {

    public int devices() {
        return rows * cols;
    }

    public DeviceGroup group(int device, MeshAxes axes) {
        int r = device / cols;
        int c = device % cols;
        int[] members;
        if (axes.contains(0) && axes.contains(1)) {
            members = new int[rows * cols];
            for (int i = 0; i < members.length; i++) {
                members[i] = i;
            }
        } else if (axes.contains(0)) {
            members = new int[rows];
            for (int i = 0; i < rows; i++) {
                members[i] = i * cols + c;
            }
        } else if (axes.contains(1)) {
            members = new int[cols];
            for (int j = 0; j < cols; j++) {
                members[j] = r * cols + j;
            }
        } else {
            members = new int[] {device};
        }
        return new DeviceGroup(members, axes.toString());
    }

    /** This device's block index for a split over {@code axes} (its rank in that group). */
    public int blockIndex(int device, MeshAxes axes) {
        return group(device, axes).rankOf(device);
    }
}
