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

    /**
     * The fits a {@code rows x cols} mesh gets while {@code busy} devices of the machine work at once (a
     * pipeline's stages all run together): those of the profiled mesh with the most devices up to {@code
     * busy}, where that is more than this mesh's, taken for each set of axes from the axes whose groups are
     * as large (the same axes first); the pooled fit per kind otherwise. A 1x2 stage of a 2x2 pipeline
     * gets the 2x2 profile's {@code @1} fits, measured with four devices busy, not the 1x2 profile's,
     * measured with two.
     */
    public CommProfile whenBusy(int busy, int rows, int cols) {
        int own = rows * cols;
        String best = null;
        for (String m : meshes.keySet()) {
            int d = devices(m);
            if (d > own && d <= busy && (best == null || d > devices(best))) {
                best = m;
            }
        }
        if (best == null) {
            return this;
        }
        String[] rc = best.split("x");
        int bestRows = Integer.parseInt(rc[0]);
        int bestCols = Integer.parseInt(rc[1]);
        Map<String, Link> src = meshes.get(best);
        Map<String, Link> fits = new LinkedHashMap<>();
        for (Map.Entry<String, Link> e : src.entrySet()) {
            String kind = e.getKey();
            if (kind.contains("@")) {
                continue;
            }
            fits.put(kind, e.getValue());
            for (String axes : AXES) {
                int g = groupSize(rows, cols, axes);
                if (g < 2) {
                    continue;
                }
                String from = groupSize(bestRows, bestCols, axes) == g && src.containsKey(kind + "@" + axes) ? axes : null;
                for (int i = 0; from == null && i < AXES.length; i++) {
                    if (groupSize(bestRows, bestCols, AXES[i]) == g && src.containsKey(kind + "@" + AXES[i])) {
                        from = AXES[i];
                    }
                }
                if (from != null) {
                    fits.put(kind + "@" + axes, src.get(kind + "@" + from));
                }
            }
        }
        Map<String, Map<String, Link>> all = new LinkedHashMap<>(meshes);
        all.put(rows + "x" + cols, fits);
        return new CommProfile(all, p2p);
    }

    private static final String[] AXES = {"0", "1", "01"};

    private static int groupSize(int rows, int cols, String axes) {
        return (axes.contains("0") ? rows : 1) * (axes.contains("1") ? cols : 1);
    }

    private static int devices(String shape) {
        String[] rc = shape.split("x");
        return Integer.parseInt(rc[0]) * Integer.parseInt(rc[1]);
    }
}
