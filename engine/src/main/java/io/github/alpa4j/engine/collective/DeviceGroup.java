package io.github.alpa4j.engine.collective;

import java.util.Arrays;

/**
 * The devices taking part in one collective, in rank order (for a mesh axis: the devices that
 * share every other coordinate). {@code label} names it in records, e.g. the mesh axis.
 */
public record DeviceGroup(int[] devices, String label) {
    public DeviceGroup {
        devices = devices.clone();
        if (devices.length == 0) {
            throw new IllegalArgumentException("empty device group");
        }
    }

    public int size() {
        return devices.length;
    }

    /** Position of {@code device} in the group; throws if it does not take part. */
    public int rankOf(int device) {
        for (int i = 0; i < devices.length; i++) {
            if (devices[i] == device) {
                return i;
            }
        }
        throw new IllegalArgumentException("device " + device + " is not in group " + this);
    }

    public int device(int rank) {
        return devices[rank];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceGroup g && Arrays.equals(devices, g.devices);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(devices);
    }

    @Override
    public String toString() {
        return label + Arrays.toString(devices);
    }
}
