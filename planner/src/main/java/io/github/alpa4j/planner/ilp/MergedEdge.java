package io.github.alpa4j.planner.ilp;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One edge's cost matrix with equal rows (and equal columns) merged, over the allowed choices of both
 * ends: choices of u whose rows are equal share one row of e, which is exact (REFERENCES §1's
 * linearisation needs only Σ_j e[a][j] = Σ of s_u over row class a). Both solvers encode edges this way.
 *
 * @param rowClass class of each choice of u, -1 for a forbidden choice
 * @param colClass class of each choice of v, -1 for a forbidden choice
 * @param rowRep   a choice of u in each row class
 * @param colRep   a choice of v in each column class
 */
record MergedEdge(int[] rowClass, int[] colClass, int[] rowRep, int[] colRep) {

    /** @param allowedU which choices of u are allowed (finite own cost); likewise {@code allowedV} */
    static MergedEdge of(double[][] m, boolean[] allowedU, boolean[] allowedV) {
        int[] rowClass = classes(m, allowedU, allowedV, false);
        int[] colClass = classes(m, allowedV, allowedU, true);
        return new MergedEdge(rowClass, colClass, representatives(rowClass), representatives(colClass));
    }

    int rows() {
        return rowRep.length;
    }

    int cols() {
        return colRep.length;
    }

    /** The cost of row class a against column class b. */
    double cost(double[][] m, int a, int b) {
        return m[rowRep[a]][colRep[b]];
    }

    /** Class of each allowed row (or column) of m over the other side's allowed entries; forbidden ones get -1. */
    /**
     * An edge that does not depend on one side (one row class or one column class) adds its costs to
     * the other side's linear costs: {@code linear[u]} and {@code linear[v]}, indexed by strategy.
     * Returns whether it did, so the caller encodes only the edges that depend on both sides.
     */
    boolean foldOneSided(double[][] m, double[] linearU, double[] linearV) {
        if (rows() == 1) {
            for (int j = 0; j < m[0].length; j++) {
                linearV[j] += m[rowRep[0]][j];
            }
            return true;
        }
        if (cols() == 1) {
            for (int i = 0; i < m.length; i++) {
                linearU[i] += m[i][colRep[0]];
            }
            return true;
        }
        return false;
    }

    private static int[] classes(double[][] m, boolean[] own, boolean[] other, boolean columns) {
        int count = 0;
        for (boolean b : other) {
            count += b ? 1 : 0;
        }
        Map<Key, Integer> seen = new HashMap<>();
        int[] cls = new int[own.length];
        for (int x = 0; x < own.length; x++) {
            if (!own[x]) {
                cls[x] = -1;
                continue;
            }
            double[] key = new double[count];
            int k = 0;
            for (int y = 0; y < other.length; y++) {
                if (other[y]) {
                    key[k++] = columns ? m[y][x] : m[x][y];
                }
            }
            Integer c = seen.putIfAbsent(new Key(key), seen.size());
            cls[x] = c == null ? seen.size() - 1 : c;
        }
        return cls;
    }

    private static int[] representatives(int[] cls) {
        int count = Arrays.stream(cls).max().orElse(-1) + 1;
        int[] rep = new int[count];
        Arrays.fill(rep, -1);
        for (int i = 0; i < cls.length; i++) {
            if (cls[i] >= 0 && rep[cls[i]] < 0) {
                rep[cls[i]] = i;
            }
        }
        return rep;
    }

    /** A row as a hash key (Double.equals semantics, as the boxed lists this replaces). */
    private record Key(double[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }
}
