package io.github.alpa4j.engine.profile;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.DeviceGroup;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.runtime.Backend;
import io.github.alpa4j.engine.runtime.KernelDispatch;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Times work on the devices of a mesh, each on its own thread, all at once: the time per call of a round
 * of enough calls on every device to fill {@code minSeconds}, from the first device's start to the last
 * one's end (a step waits for its slowest device), the median of five rounds after a warm-up that lasts
 * until the time per call settles.
 * Kernels run through the engine's own dispatch and collectives through the engine's own
 * collectives, so what is measured is what a step runs.
 */
public final class DeviceBench<F, I> implements Bench, AutoCloseable {
    private static final int ROUNDS = 5;
    private static final int WARMUP_ROUNDS = 8;
    /**
     * Rows of 256 floats of the add a device computes between two collectives when timing them as a step does:
     * a quarter of a megabyte per array, 0.1-0.2 ms, the span between a small GPT step's collectives. Devices that
     * meet after a longer span arrive further apart; the wait that adds was the model's largest error on two
     * devices while steps were measured with the JIT still compiling (and ops with four devices taking turns):
     * with both fixed, validate's median error was 8.2 % with this span against 15.1 % with 8192 rows (a
     * millisecond), whose 1x2 collectives came out 2-5x too dear (bench/results/cost-model-cpu.md).
     */
    private static final int STEP_WORK_ROWS = 1024;
    private static final io.github.alpa4j.ir.ElementwiseOp ADD = new io.github.alpa4j.ir.ElementwiseOp.Binary(
            io.github.alpa4j.ir.ElementwiseOp.BinaryKind.ADD);

    private final List<? extends Backend<F, I>> devices;
    private final Collectives<F> collectives;
    private final MeshGroups groups;
    private final double minSeconds;
    private final ExecutorService pool;
    private final List<AutoCloseable> owned;
    private final int opBusy;
    private java.util.function.IntToDoubleFunction programs;

    /** {@code owned} (the devices, their collectives, their GPU) is closed with the bench, in order. */
    public DeviceBench(List<? extends Backend<F, I>> devices, Collectives<F> collectives, MeshGroups groups, double minSeconds,
                       List<AutoCloseable> owned) {
        this(devices, collectives, groups, minSeconds, owned, devices.size());
    }

    /** As above, measuring ops' rates with {@code opBusy} devices busy ({@link Bench#opBusy()}). */
    public DeviceBench(List<? extends Backend<F, I>> devices, Collectives<F> collectives, MeshGroups groups, double minSeconds,
                       List<AutoCloseable> owned, int opBusy) {
        if (opBusy < 1 || opBusy > devices.size()) {
            throw new IllegalArgumentException("ops measured with " + opBusy + " of " + devices.size() + " devices busy");
        }
        this.opBusy = opBusy;
        if (devices.size() != groups.devices()) {
            throw new IllegalArgumentException(devices.size() + " devices for a " + groups.rows() + "x" + groups.cols() + " mesh");
        }
        this.devices = List.copyOf(devices);
        this.collectives = collectives;
        this.groups = groups;
        this.minSeconds = minSeconds;
        this.owned = List.copyOf(owned);
        this.pool = Executors.newFixedThreadPool(devices.size(), r -> {
            Thread t = new Thread(r, "alpa4j-profile-device");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String mesh() {
        return groups.rows() + "x" + groups.cols();
    }

    @Override
    public int devices() {
        return devices.size();
    }

    @Override
    public int opBusy() {
        return opBusy;
    }

    /** This bench, timing programs with {@code stepSeconds} (ops → seconds of a step; see {@link Bench#programStep}). */
    DeviceBench<F, I> withPrograms(java.util.function.IntToDoubleFunction stepSeconds) {
        this.programs = stepSeconds;
        return this;
    }

    @Override
    public java.util.OptionalDouble programStep(int ops) {
        return programs == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(programs.applyAsDouble(ops));
    }

    @Override
    public int groupSize(MeshAxes axes) {
        return groups.group(0, axes).size();
    }

    @Override
    public double op(Op op, List<TensorType> in, TensorType out, int busy) {
        return op(op, in, out, busy, 1);
    }

    /** Bytes of buffers an op measured cold cycles through on each device: more than a processor's caches hold. */
    static final long COLD_BYTES = 96L << 20;

    @Override
    public double opCold(Op op, List<TensorType> in, TensorType out) {
        long bytes = out.bytes();
        for (TensorType t : in) {
            bytes += t.bytes();
        }
        return op(op, in, out, opBusy, (int) Math.max(1, Math.min(256, COLD_BYTES / Math.max(1, bytes))));
    }

    /** Seconds of one call with {@code sets} sets of buffers per device, each call on the next set. */
    private double op(Op op, List<TensorType> in, TensorType out, int busy, int sets) {
        List<Object[][]> buffers = new ArrayList<>();
        for (int d = 0; d < busy; d++) {
            Backend<F, I> b = devices.get(d);
            Object[][] all = new Object[sets][];
            for (int k = 0; k < sets; k++) {
                Object[] bufs = new Object[in.size() + 1];
                for (int i = 0; i < in.size(); i++) {
                    bufs[i] = filled(b, in.get(i));
                }
                bufs[in.size()] = b.allocate(out);
                all[k] = bufs;
            }
            buffers.add(all);
        }
        try {
            return time(busy, d -> {
                KernelDispatch<F, I> k = new KernelDispatch<>(devices.get(d).kernels());
                Object[][] all = buffers.get(d);
                List<List<Object>> args = new ArrayList<>();
                for (Object[] bufs : all) {
                    args.add(Arrays.asList(bufs).subList(0, in.size()));
                }
                int[] next = {0};
                return () -> {
                    int i = next[0];
                    next[0] = i + 1 == all.length ? 0 : i + 1;
                    k.run(op, in, out, args.get(i), all[i][in.size()], KernelDispatch.Local.whole());
                };
            });
        } finally {
            for (int d = 0; d < busy; d++) {
                for (Object[] bufs : buffers.get(d)) {
                    for (Object o : bufs) {
                        devices.get(d).free(o);
                    }
                }
            }
        }
    }

    /**
     * A collective as a step sees it: every device computes (an add of a quarter-megabyte arrays) and then joins the
     * collective, over and over; the time of the computing alone is taken off, and the result is at least the
     * collective's time run back to back. Devices arrive at the collective at different times and, where they
     * share cores, wait to be scheduled again: a collective timed back to back on idle devices alone would not
     * see that.
     */
    @Override
    @SuppressWarnings("unchecked")
    public double collective(CollectiveKind kind, MeshAxes axes, long bytes) {
        int n = groupSize(axes);
        long whole = bytes / 4;
        long chunk = whole / n;
        List<Object[]> buffers = new ArrayList<>();
        TensorType work = TensorType.f32(STEP_WORK_ROWS, 256);
        for (Backend<F, I> b : devices) {
            buffers.add(new Object[] {filled(b, TensorType.f32(Math.toIntExact(whole))), b.allocate(TensorType.f32(Math.toIntExact(whole))),
                    filled(b, work), filled(b, work), b.allocate(work)});
        }
        try {
            IntFunction<Runnable> compute = d -> {
                Object[] bufs = buffers.get(d);
                KernelDispatch<F, I> k = new KernelDispatch<>(devices.get(d).kernels());
                return () -> k.run(ADD, List.of(work, work), work, List.of(bufs[2], bufs[3]), bufs[4], KernelDispatch.Local.whole());
            };
            IntFunction<Runnable> collective = d -> {
                DeviceGroup g = groups.group(d, axes);
                F a = (F) buffers.get(d)[0];
                F b = (F) buffers.get(d)[1];
                return switch (kind) {
                    case ALL_REDUCE -> () -> collectives.allReduce(g, d, a, whole, Collectives.Reduction.SUM);
                    case ALL_GATHER -> () -> collectives.allGather(g, d, a, chunk, b);
                    case REDUCE_SCATTER -> () -> collectives.reduceScatter(g, d, a, chunk, b);
                    case ALL_TO_ALL -> () -> collectives.allToAll(g, d, a, chunk, b);
                    case BROADCAST -> () -> collectives.broadcast(g, d, 0, a, whole);
                    case SEND_RECV -> throw new IllegalArgumentException("sends are timed by sendRecv");
                };
            };
            double both = time(devices.size(), d -> {
                Runnable c = compute.apply(d);
                Runnable x = collective.apply(d);
                return () -> {
                    c.run();
                    x.run();
                };
            });
            double alone = time(devices.size(), compute);
            // the difference of two noisy times can come out near zero (an all-gather measured free let the
            // planner choose a plan predicted 2.5x too fast); the collective run back to back, with nothing to
            // wait for but its own barriers and copies, is what it costs at the least
            double backToBack = time(devices.size(), collective);
            return Math.max(both - alone, backToBack);
        } finally {
            free(buffers);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public double sendRecv(long bytes) {
        long n = bytes / 4;
        int pairs = devices.size() / 2;
        List<Object[]> buffers = new ArrayList<>();
        for (Backend<F, I> b : devices) {
            buffers.add(new Object[] {filled(b, TensorType.f32(Math.toIntExact(n)))});
        }
        try {
            // a ping-pong, as a pipeline hands a microbatch over: the receiver waits, blocked, for each message; sent
            // back to back, the sends of one device overlapped the receiver's wake-ups and came out at 0-5 us
            double roundTrip = time(2 * pairs, d -> {
                F buf = (F) buffers.get(d)[0];
                return d % 2 == 0 ? () -> {
                    collectives.send(d, d + 1, buf, n);
                    collectives.recv(d, d + 1, buf, n);
                } : () -> {
                    collectives.recv(d, d - 1, buf, n);
                    collectives.send(d, d - 1, buf, n);
                };
            });
            return roundTrip / 2;
        } finally {
            free(buffers);
        }
    }

    private void free(List<Object[]> buffers) {
        for (int d = 0; d < buffers.size(); d++) {
            for (Object o : buffers.get(d)) {
                devices.get(d).free(o);
            }
        }
    }

    /** A buffer of type {@code t} holding ones (ids and labels zero): values every kernel takes. */
    private static <F, I> Object filled(Backend<F, I> b, TensorType t) {
        Object buf = b.allocate(t);
        int n = Math.toIntExact(t.size());
        if (t.dtype() == DType.I32) {
            b.upload(Tensor.ofInts(t, new int[n]), buf);
        } else {
            float[] v = new float[n];
            Arrays.fill(v, 1f);
            b.upload(Tensor.of(t, v), buf);
        }
        return buf;
    }

    /**
     * Seconds per call: devices 0..busy-1 each run {@code call(d)} as often as fills {@code minSeconds},
     * all starting together; the round's time per call, the median over the rounds.
     */
    private double time(int busy, IntFunction<Runnable> call) {
        Runnable[] calls = new Runnable[busy];
        for (int d = 0; d < busy; d++) {
            calls[d] = call.apply(d);
        }
        // warm-up: first-call costs (allocation), then rounds of a quarter of the time until two in a row agree
        // within 10 %: the JIT compiles a kernel in the background, on the cores the devices use, once it is hot
        double per = round(busy, calls, 1);
        double previous = Double.NaN;
        for (int w = 0; w < WARMUP_ROUNDS; w++) {
            int n = reps(minSeconds / 4, per);
            per = round(busy, calls, n) / n;
            if (per <= 1.1 * previous && previous <= 1.1 * per) {
                break;
            }
            previous = per;
        }
        int reps = reps(minSeconds, per);
        double[] rounds = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            rounds[r] = round(busy, calls, reps) / reps;
        }
        Arrays.sort(rounds);
        return rounds[ROUNDS / 2];
    }

    private static int reps(double seconds, double perCall) {
        return (int) Math.max(1, Math.min(100_000, Math.ceil(seconds / Math.max(perCall, 1e-7))));
    }

    /**
     * One round of {@code reps} calls on every busy device, waiting for each device's queued work: seconds from
     * the first device's start to the last device's end. Devices sharing cores finish in an order the scheduler
     * picks (with four devices on two cores, two may run to the end before the others start), so each device's
     * own time ranges from its share of the cores to the whole round; a step waits for the last device, and the
     * round's time is what it sees. The mean of the devices' own times put two busy devices at 0.6-0.95 of four
     * in three profiles of one machine, where the round's time puts them at half.
     */
    private double round(int busy, Runnable[] calls, int reps) {
        CyclicBarrier start = new CyclicBarrier(busy);
        List<Future<long[]>> times = new ArrayList<>();
        for (int d = 0; d < busy; d++) {
            int dev = d;
            times.add(pool.submit(() -> {
                start.await();
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    calls[dev].run();
                }
                devices.get(dev).synchronize();
                return new long[] {t0, System.nanoTime()};
            }));
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Future<long[]> f : times) {
            try {
                long[] t = f.get();
                first = Math.min(first, t[0]);
                last = Math.max(last, t[1]);
            } catch (ExecutionException e) {
                times.forEach(t -> t.cancel(true));
                throw new IllegalStateException("a device failed while profiling: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while profiling", e);
            }
        }
        return (last - first) * 1e-9;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        RuntimeException first = null;
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                first = first != null ? first : new IllegalStateException("closing a profiled device failed: " + e, e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
