package io.github.alpa4j.planner.cost;

import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cluster.Link;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;

/**
 * Alpa's alpha-beta cost of collectives on a mesh (REFERENCES §1), in seconds. {@code bytes} as
 * documented on {@link Collective}. A collective over both mesh axes runs over all n0·n1 devices
 * with the larger α and β of the two axes, as XLA's auto-sharding port does. Where a profile
 * measured the mesh's collectives ({@link DeviceMesh#comm()}), each kind takes its own fitted α and β.
 */
public record AlphaBetaModel(DeviceMesh mesh) {

    /** α + β·2(n−1)/n·B. */
    public double allReduce(long bytes, MeshAxes axes) {
        int n = axes.size(mesh);
        return n == 1 ? 0 : alpha("all-reduce", axes) + beta("all-reduce", axes) * 2.0 * (n - 1) / n * bytes;
    }

    /** α + β·(n−1)/n·B, B the gathered size. */
    public double allGather(long bytes, MeshAxes axes) {
        int n = axes.size(mesh);
        return n == 1 ? 0 : alpha("all-gather", axes) + beta("all-gather", axes) * (n - 1.0) / n * bytes;
    }

    /** α + β·(n−1)/n·B, B the size before scattering. */
    public double reduceScatter(long bytes, MeshAxes axes) {
        int n = axes.size(mesh);
        return n == 1 ? 0 : alpha("reduce-scatter", axes) + beta("reduce-scatter", axes) * (n - 1.0) / n * bytes;
    }

    /** α + β·(n−1)/n²·B·(n/2): the n/2 is Alpa's penalty factor fitted on V100 NVLink. */
    public double allToAll(long bytes, MeshAxes axes) {
        int n = axes.size(mesh);
        return n == 1 ? 0 : alpha("all-to-all", axes) + beta("all-to-all", axes) * (n - 1.0) / ((double) n * n) * bytes * (n / 2.0);
    }

    public double cost(Collective c) {
        return switch (c) {
            case Collective.AllReduce r -> allReduce(r.bytes(), r.axes());
            case Collective.AllGather g -> allGather(g.bytes(), g.axes());
            case Collective.ReduceScatter s -> reduceScatter(s.bytes(), s.axes());
            case Collective.AllToAll a -> allToAll(a.bytes(), a.axes());
        };
    }

    private double alpha(String kind, MeshAxes axes) {
        Link fit = fitted(kind, axes);
        if (fit != null) {
            return fit.alpha();
        }
        double a = 0;
        for (int i = 0; i < 2; i++) {
            if (axes.contains(i)) {
                a = Math.max(a, mesh.link(i).alpha());
            }
        }
        return a;
    }

    private double beta(String kind, MeshAxes axes) {
        Link fit = fitted(kind, axes);
        if (fit != null) {
            return fit.beta();
        }
        double b = 0;
        for (int i = 0; i < 2; i++) {
            if (axes.contains(i)) {
                b = Math.max(b, mesh.link(i).beta());
            }
        }
        return b;
    }

    private Link fitted(String kind, MeshAxes axes) {
        return mesh.comm() == null ? null : mesh.comm().link(kind, axes.toString(), mesh.toString()).orElse(null);
    }
}
