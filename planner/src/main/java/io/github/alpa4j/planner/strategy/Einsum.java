package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An op seen as a loop nest, the way Alpa enumerates strategies: each mesh axis (of size > 1) is
 * given to at most one loop, or to none; both axes on one loop split it S01. A tensor dimension
 * indexed by a loop inherits the loop's split; loops missing from the output are contracted, so the
 * result is partial over their axes. Splits must divide the loop evenly.
 *
 * @param loops      size of each loop
 * @param splittable whether a loop may be split (softmax and layer norm keep their normalised axis whole)
 * @param inputs     for each input, the loop of each of its dimensions, or -1 for a broadcast dimension
 * @param output     the loop of each output dimension, or -1 for a dimension of size 1
 */
record Einsum(int[] loops, boolean[] splittable, int[][] inputs, int[] output) {

    /** All loops splittable. */
    static Einsum of(int[] loops, int[][] inputs, int[] output) {
        boolean[] s = new boolean[loops.length];
        Arrays.fill(s, true);
        return new Einsum(loops, s, inputs, output);
    }

    /** identity(n) = {0, 1, ..., n-1}. */
    static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** Every assignment of mesh axes to loops, as a DimSharding mask per loop. */
    List<int[]> assignments(DeviceMesh mesh) {
        List<int[]> out = new ArrayList<>();
        int choices0 = mesh.size(0) > 1 ? loops.length + 1 : 1;
        int choices1 = mesh.size(1) > 1 ? loops.length + 1 : 1;
        for (int a0 = 0; a0 < choices0; a0++) {
            for (int a1 = 0; a1 < choices1; a1++) {
                int[] masks = new int[loops.length];
                if (a0 > 0) {
                    masks[a0 - 1] |= 1;
                }
                if (a1 > 0) {
                    masks[a1 - 1] |= 2;
                }
                if (valid(masks, mesh)) {
                    out.add(masks);
                }
            }
        }
        return out;
    }

    private boolean valid(int[] masks, DeviceMesh mesh) {
        for (int l = 0; l < loops.length; l++) {
            if (masks[l] != 0 && (!splittable[l] || loops[l] % new MeshAxes(masks[l]).size(mesh) != 0)) {
                return false;
            }
        }
        return true;
    }

    ShardingSpec inputSpec(int i, int[] masks) {
        return spec(inputs[i], masks, MeshAxes.NONE);
    }

    /** The local result: output dimensions split as their loops, partial over contracted loops' axes. */
    ShardingSpec resultSpec(int[] masks) {
        int partial = 0;
        for (int l = 0; l < loops.length; l++) {
            if (!contains(output, l)) {
                partial |= masks[l];
            }
        }
        return spec(output, masks, new MeshAxes(partial));
    }

    private static ShardingSpec spec(int[] dimLoops, int[] masks, MeshAxes partial) {
        List<DimSharding> d = new ArrayList<>(dimLoops.length);
        for (int l : dimLoops) {
            d.add(l < 0 ? DimSharding.R : DimSharding.of(new MeshAxes(masks[l])));
        }
        return new ShardingSpec(d, partial);
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** Whether any loop is split. */
    static boolean anySplit(int[] masks) {
        for (int m : masks) {
            if (m != 0) {
                return true;
            }
        }
        return false;
    }
}
