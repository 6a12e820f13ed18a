package io.github.alpa4j.planner.sharding;

import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a tensor lies on a 2-D mesh: per dimension R, S0, S1 or S01, and the mesh axes over which its
 * values are partial sums still to be reduced. Printed as Alpa writes it: {@code S0R}, {@code RS1},
 * {@code S01R}; a partial spec gets a suffix ({@code RR+P1}); a scalar prints as {@code ()}.
 * Each mesh axis is used at most once.
 */
public record ShardingSpec(List<DimSharding> dims, MeshAxes partial) {
    private static final Pattern TOKEN = Pattern.compile("S01|S0|S1|R");

    public ShardingSpec {
        dims = List.copyOf(dims);
        int used = partial.mask();
        for (DimSharding d : dims) {
            if ((used & d.axes().mask()) != 0) {
                throw new IllegalArgumentException("mesh axis used twice in " + dims + " partial " + partial);
            }
            used |= d.axes().mask();
        }
    }

    public static ShardingSpec of(DimSharding... dims) {
        return new ShardingSpec(Arrays.asList(dims), MeshAxes.NONE);
    }

    public static ShardingSpec replicated(int rank) {
        DimSharding[] d = new DimSharding[rank];
        Arrays.fill(d, DimSharding.R);
        return of(d);
    }

    /** Parses what {@link #toString} prints, e.g. {@code S0R}, {@code RS01}, {@code RR+P1}, {@code ()}. */
    public static ShardingSpec parse(String text) {
        String s = text.trim();
        MeshAxes partial = MeshAxes.NONE;
        int plus = s.indexOf("+P");
        if (plus >= 0) {
            partial = switch (s.substring(plus + 2)) {
                case "0" -> MeshAxes.AXIS0;
                case "1" -> MeshAxes.AXIS1;
                case "01" -> MeshAxes.BOTH;
                default -> throw new IllegalArgumentException("bad partial axes in sharding spec '" + text + "'");
            };
            s = s.substring(0, plus);
        }
        List<DimSharding> dims = new ArrayList<>();
        if (!s.equals("()")) {
            Matcher m = TOKEN.matcher(s);
            int at = 0;
            while (at < s.length()) {
                if (!m.find(at) || m.start() != at) {
                    throw new IllegalArgumentException("cannot read sharding spec '" + text + "'");
                }
                dims.add(DimSharding.valueOf(m.group()));
                at = m.end();
            }
        }
        return new ShardingSpec(dims, partial);
    }

    public int rank() {
        return dims.size();
    }

    public DimSharding dim(int i) {
        return dims.get(i);
    }

    public boolean isPartial() {
        return !partial.isEmpty();
    }

    /** Every mesh axis the spec uses, for splits or partial sums. */
    public MeshAxes usedAxes() {
        MeshAxes a = partial;
        for (DimSharding d : dims) {
            a = a.union(d.axes());
        }
        return a;
    }

    /** The dimension split over {@code axis}, or -1. */
    public int dimOf(int axis) {
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i).axes().contains(axis)) {
                return i;
            }
        }
        return -1;
    }

    public ShardingSpec withDim(int i, DimSharding d) {
        List<DimSharding> n = new ArrayList<>(dims);
        n.set(i, d);
        return new ShardingSpec(n, partial);
    }

    public ShardingSpec withPartial(MeshAxes p) {
        return new ShardingSpec(dims, p);
    }

    /**
     * True if the spec can shard {@code shape} on {@code mesh}: ranks agree, every split uses axes of
     * size > 1, and every split dimension divides evenly (never finer than its size).
     */
    public boolean fits(Shape shape, DeviceMesh mesh) {
        if (shape.rank() != dims.size()) {
            return false;
        }
        for (int a = 0; a < 2; a++) {
            if (usedAxes().contains(a) && mesh.size(a) == 1) {
                return false;
            }
        }
        for (int i = 0; i < dims.size(); i++) {
            if (shape.dim(i) % dims.get(i).axes().size(mesh) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The shape of one device's shard. */
    public int[] localDims(Shape shape, DeviceMesh mesh) {
        int[] d = shape.dims();
        for (int i = 0; i < d.length; i++) {
            d[i] /= dims.get(i).axes().size(mesh);
        }
        return d;
    }

    /** Elements of one device's shard. */
    public long localElements(Shape shape, DeviceMesh mesh) {
        long n = 1;
        for (int d : localDims(shape, mesh)) {
            n *= d;
        }
        return n;
    }

    public long localBytes(TensorType type, DeviceMesh mesh) {
        return localElements(type.shape(), mesh) * type.dtype().bytes();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (dims.isEmpty()) {
            sb.append("()");
        }
        for (DimSharding d : dims) {
            sb.append(d.name());
        }
        if (isPartial()) {
            sb.append("+P").append(partial);
        }
        return sb.toString();
    }
}
