package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.engine.collective.Collectives.Reduction;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rounds of collectives over the groups of a mesh, each device on its own thread as in the mesh
 * runtime, every result checked against the collective's definition. Each device's input lands on
 * its stream late (after a poisoned value), and is overwritten on its stream as soon as the
 * collective returns, so a member that reads too early or too late sees the wrong numbers.
 */
final class CollectiveScenario {
    enum Kind { ALL_REDUCE_SUM, ALL_REDUCE_MAX, ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL, BROADCAST, SEND_RECV }

    private static final MeshAxes[] AXES = {MeshAxes.AXIS0, MeshAxes.AXIS1, MeshAxes.BOTH};
    private static final float POISON = Float.NaN;

    private final CollectiveDevices devices;
    private final Collectives<DeviceBuffer> c;
    private final MeshGroups mesh;
    private final long seed;

    CollectiveScenario(CollectiveDevices devices, Collectives<DeviceBuffer> c, MeshGroups mesh, long seed) {
        this.devices = devices;
        this.c = c;
        this.mesh = mesh;
        this.seed = seed;
    }

    /** Round {@code k}'s collective, the same on every device. */
    record Round(int k, Kind kind, MeshAxes axes, int n, int root) {
    }

    Round round(int k) {
        SplittableRandom r = new SplittableRandom(seed * 31 + k);
        Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
        return new Round(k, kind, AXES[r.nextInt(AXES.length)], 1 + r.nextInt(3000), r.nextInt(64));
    }

    /** Device d's input in round k: len floats in [-1, 1). */
    float[] input(int k, int d, int len) {
        SplittableRandom r = new SplittableRandom(seed ^ (k * 1_000_003L + d * 7919L));
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        return x;
    }

    /** Runs {@code rounds} rounds on every device; throws the first device's failure. */
    void run(int rounds) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(mesh.devices());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int d = 0; d < mesh.devices(); d++) {
                int dev = d;
                fs.add(threads.submit(() -> {
                    for (int k = 0; k < rounds; k++) {
                        play(round(k), dev);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    fs.forEach(x -> x.cancel(true));
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw e;
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private void play(Round r, int d) {
        DevicePool pool = devices.member(d).pool();
        DeviceGroup g = r.kind() == Kind.SEND_RECV ? new DeviceGroup(new int[] {d & ~1, d | 1}, "pair") : mesh.group(d, r.axes());
        int size = g.size();
        int rank = g.rankOf(d);
        int n = r.n();
        int inLen = switch (r.kind()) {
            case REDUCE_SCATTER, ALL_TO_ALL -> size * n;
            default -> n;
        };
        int outLen = switch (r.kind()) {
            case ALL_GATHER, ALL_TO_ALL -> size * n;
            default -> n;
        };
        float[] poison = new float[inLen];
        Arrays.fill(poison, POISON);
        DeviceBuffer in = pool.allocate(4L * inLen);
        devices.write(d, poison, in);
        devices.write(d, input(r.k(), d, inLen), in);
        boolean inPlace = r.kind() == Kind.ALL_REDUCE_SUM || r.kind() == Kind.ALL_REDUCE_MAX || r.kind() == Kind.BROADCAST;
        DeviceBuffer out = inPlace ? in : pool.allocate(4L * outLen);
        switch (r.kind()) {
            case ALL_REDUCE_SUM -> c.allReduce(g, d, in, n, Reduction.SUM);
            case ALL_REDUCE_MAX -> c.allReduce(g, d, in, n, Reduction.MAX);
            case ALL_GATHER -> c.allGather(g, d, in, n, out);
            case REDUCE_SCATTER -> c.reduceScatter(g, d, in, n, out);
            case ALL_TO_ALL -> c.allToAll(g, d, in, n, out);
            case BROADCAST -> c.broadcast(g, d, r.root() % size, in, n);
            case SEND_RECV -> {
                int partner = g.device(1 - rank);
                if (rank == 0) {
                    c.send(d, partner, in, n);
                    c.recv(d, partner, out, n);
                } else {
                    c.recv(d, partner, out, n);
                    c.send(d, partner, in, n);
                }
            }
        }
        if (!inPlace) {
            devices.write(d, poison, in); // the input's owner reuses it at once
            in.close();
        }
        float[] got = devices.read(d, out, outLen);
        out.close();
        float[] want = expected(r, g, rank, inLen, outLen);
        for (int i = 0; i < outLen; i++) {
            double tol = r.kind() == Kind.ALL_REDUCE_SUM || r.kind() == Kind.REDUCE_SCATTER ? 1e-6 * (1 + Math.abs(want[i])) : 0;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                throw new AssertionError(r + " on device " + d + " (rank " + rank + " of " + g + "), seed " + seed + ": element " + i
                        + " is " + got[i] + ", want " + want[i]);
            }
        }
    }

    private float[] expected(Round r, DeviceGroup g, int rank, int inLen, int outLen) {
        int n = r.n();
        float[][] all = new float[g.size()][];
        for (int q = 0; q < g.size(); q++) {
            all[q] = input(r.k(), g.device(q), inLen);
        }
        float[] want = new float[outLen];
        for (int i = 0; i < outLen; i++) {
            want[i] = switch (r.kind()) {
                case ALL_REDUCE_SUM -> sum(all, i);
                case ALL_REDUCE_MAX -> {
                    float m = Float.NEGATIVE_INFINITY;
                    for (float[] a : all) {
                        m = Math.max(m, a[i]);
                    }
                    yield m;
                }
                case ALL_GATHER -> all[i / n][i % n];
                case REDUCE_SCATTER -> sum(all, rank * n + i);
                case ALL_TO_ALL -> all[i / n][rank * n + i % n];
                case BROADCAST -> all[r.root() % g.size()][i];
                case SEND_RECV -> all[1 - rank][i];
            };
        }
        return want;
    }

    private static float sum(float[][] all, int i) {
        double s = 0;
        for (float[] a : all) {
            s += a[i];
        }
        return (float) s;
    }
}
