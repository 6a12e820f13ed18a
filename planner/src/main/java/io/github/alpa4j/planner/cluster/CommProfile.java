package io.github.alpa4j.planner.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Measured α and β of the collectives of one host's devices (the alpha-beta model fitted by least
 * squares over several message sizes), on each mesh a profile ran on: per kind and set of mesh axes,
 * and pooled per kind over every set; and of point-to-point sends. Devices that share a machine
 * slow each other's collectives by how many of them there are (on the CPU's cores, a device waiting
 * at a collective waits to be scheduled again), so a mesh takes the fits of the profiled mesh most
 * like it.
 *
 * @param meshes each profiled mesh's shape ({@code 2x2}) → {@code all-reduce} (pooled) and {@code all-reduce@0},
 *               {@code @1}, {@code @01} (per axes), likewise for {@code all-gather}, {@code reduce-scatter},
 *               {@code all-to-all}
 * @param p2p    a send from one device to another
 */
public record CommProfile(Map<String, Map<String, Link>> meshes, Link p2p) {
    public CommProfile {
        Map<String, Map<String, Link>> copy = new LinkedHashMap<>();
        meshes.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        meshes = java.util.Collections.unmodifiableMap(copy);
        if (meshes.isEmpty()) {
            throw new IllegalArgumentException("a collectives profile needs at least one measured mesh");
        }
    }

    /** One measured mesh. */
    public CommProfile(String mesh, Map<String, Link> fits, Link p2p) {
        this(Map.of(mesh, fits), p2p);
    }

    /**
     * The fit of {@code kind} over {@code axes} ("0", "1", "01") on a mesh of shape {@code shape}: per axes
     * where that shape was profiled; else pooled, from the profiled mesh with the same number of devices,
     * or else the nearest number.
     */
    public Optional<Link> link(String kind, String axes, String shape) {
        Map<String, Link> own = meshes.get(shape);
        if (own != null) {
            Link l = own.get(kind + "@" + axes);
            return Optional.ofNullable(l != null ? l : own.get(kind));
        }
        int devices = devices(shape);
        String best = null;
        for (String m : meshes.keySet()) {
            if (best == null || Math.abs(devices(m) - devices) < Math.abs(devices(best) - devices)) {
                best = m;
            }
        }
        return Optional.ofNullable(meshes.get(best).get(kind));
    }

    private static int devices(String shape) {
        String[] rc = shape.split("x");
        return Integer.parseInt(rc[0]) * Integer.parseInt(rc[1]);
    }
}
