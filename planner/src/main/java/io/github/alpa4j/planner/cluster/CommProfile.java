package io.github.alpa4j.planner.cluster;

import java.util.Map;
import java.util.Optional;

/**
 * Measured α and β of the collectives of one host's devices (the alpha-beta model fitted by least
 * squares over several message sizes): per kind and set of mesh axes of the mesh the profile ran on,
 * pooled per kind over every set (for meshes of other shapes), and of point-to-point sends.
 *
 * @param mesh  the shape the profile ran on, e.g. {@code 2x2}
 * @param fits  {@code all-reduce} (pooled) and {@code all-reduce@0}, {@code @1}, {@code @01} (per axes), likewise for
 *              {@code all-gather}, {@code reduce-scatter}, {@code all-to-all}
 * @param p2p   a send from one device to another
 */
public record CommProfile(String mesh, Map<String, Link> fits, Link p2p) {
    public CommProfile {
        fits = Map.copyOf(fits);
    }

    /** The fit of {@code kind} over {@code axes} ("0", "1", "01") on a mesh of shape {@code shape}: per axes on the profiled shape, else pooled. */
    public Optional<Link> link(String kind, String axes, String shape) {
        Link l = shape.equals(mesh) ? fits.get(kind + "@" + axes) : null;
        return Optional.ofNullable(l != null ? l : fits.get(kind));
    }
}
