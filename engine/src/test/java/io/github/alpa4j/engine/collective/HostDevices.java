package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.RawDeviceMemory;
import io.github.alpa4j.kernels.CpuKernels;
import io.github.alpa4j.kernels.Kernels;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Logical devices of one emulated GPU in host memory, for testing {@link CudaCollectives} where there
 * is no GPU: each device's stream is a thread that runs its queued work in order, after a random
 * pause, so work on different streams interleaves arbitrarily unless events order it (an event
 * waited for is the point it was last recorded at, as in CUDA). Device memory is one address space
 * of float arrays shared by every device, handed out by a real {@link DevicePool} per device.
 */
final class HostDevices implements CollectiveDevices {
    private static final long BASE = 0x7000_0000_0000L;

    private final Memory memory = new Memory();
    private final List<Device> devices = new ArrayList<>();

    HostDevices(int count, long seed, int maxPauseMicros) {
        for (int d = 0; d < count; d++) {
            devices.add(new Device(new SplittableRandom(seed + d), maxPauseMicros));
        }
    }

    /** Float arrays at synthetic device addresses; never reused (the pools cache blocks). */
    static final class Memory implements RawDeviceMemory {
        private final TreeMap<Long, float[]> blocks = new TreeMap<>();
        private long next = BASE;

        @Override
        public synchronized long tryAllocate(long bytes) {
            long at = next;
            blocks.put(at, new float[Math.toIntExact(Math.ceilDiv(bytes, 4))]);
            next += Math.ceilDiv(bytes, 256) * 256 + 256;
            return at;
        }

        @Override
        public synchronized void free(long address) {
            blocks.remove(address);
        }

        /** The block holding {@code address} and the float index of the address in it. */
        synchronized Map.Entry<Long, float[]> block(long address) {
            Map.Entry<Long, float[]> e = blocks.floorEntry(address);
            if (e == null || (address - e.getKey()) / 4 > e.getValue().length) {
                throw new IllegalArgumentException("no device memory at 0x" + Long.toHexString(address));
            }
            return e;
        }

        void read(long address, float[] dst, int n) {
            Map.Entry<Long, float[]> e = block(address);
            System.arraycopy(e.getValue(), (int) ((address - e.getKey()) / 4), dst, 0, n);
        }

        void write(float[] src, long address, int n) {
            Map.Entry<Long, float[]> e = block(address);
            System.arraycopy(src, 0, e.getValue(), (int) ((address - e.getKey()) / 4), n);
        }
    }

    /** One logical device: its stream thread, its pool, its kernels. */
    final class Device {
        final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "host-stream");
            t.setDaemon(true);
            return t;
        });
        final SplittableRandom random;
        final int maxPauseMicros;
        final DevicePool pool = DevicePool.over(memory);
        final Stream stream = new Stream();
        @SuppressWarnings("unchecked")
        final Kernels<DeviceBuffer, DeviceBuffer> kernels = (Kernels<DeviceBuffer, DeviceBuffer>) Proxy.newProxyInstance(
                Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, (proxy, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return switch (m.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "host kernels";
                        };
                    }
                    queueKernel(m, args);
                    return null;
                });

        Device(SplittableRandom random, int maxPauseMicros) {
            this.random = random;
            this.maxPauseMicros = maxPauseMicros;
        }

        /** Queues {@code work} after a random pause; the pause is drawn now, on the caller's thread. */
        CompletableFuture<Void> queue(Runnable work) {
            int pause;
            synchronized (random) {
                pause = maxPauseMicros == 0 ? 0 : random.nextInt(maxPauseMicros);
            }
            return CompletableFuture.runAsync(() -> {
                if (pause > 0) {
                    try {
                        Thread.sleep(pause / 1000, (pause % 1000) * 1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                work.run();
            }, thread);
        }

        void synchronize() {
            queue(() -> {
            }).join();
        }

        /**
         * Any kernel, by its CPU twin on copies of the buffers taken when the kernel runs on the
         * stream; the copies the twin changed are written back. Int buffers hold their values' bits.
         */
        private void queueKernel(Method m, Object[] args) {
            Method twin = cpuTwin(m);
            Class<?>[] types = twin.getParameterTypes();
            long[] addresses = new long[args.length];
            int[] lengths = new int[args.length];
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof DeviceBuffer b) {
                    addresses[i] = b.address();
                    lengths[i] = Math.toIntExact(b.bytes() / 4);
                }
            }
            Object[] given = args.clone();
            queue(() -> {
                Object[] host = given.clone();
                float[][] before = new float[host.length][];
                for (int i = 0; i < host.length; i++) {
                    if (given[i] instanceof DeviceBuffer) {
                        before[i] = new float[lengths[i]];
                        memory.read(addresses[i], before[i], lengths[i]);
                        host[i] = types[i] == int[].class ? bits(before[i]) : before[i].clone();
                    }
                }
                try {
                    twin.invoke(new CpuKernels(), host);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < host.length; i++) {
                    if (before[i] != null) {
                        float[] after = host[i] instanceof int[] ints ? floats(ints) : (float[]) host[i];
                        if (!java.util.Arrays.equals(after, before[i])) {
                            memory.write(after, addresses[i], after.length);
                        }
                    }
                }
            });
        }

        private static Method cpuTwin(Method m) {
            for (Method c : CpuKernels.class.getMethods()) {
                if (c.getName().equals(m.getName()) && c.getParameterCount() == m.getParameterCount() && !c.isBridge()) {
                    return c;
                }
            }
            // every Kernels method has a CPU twin (the contract test runs them all): a missing one is a bug here
            throw new IllegalStateException("the emulated GPU found no CpuKernels twin of Kernels." + m.getName());
        }
        final class Stream implements DeviceStream {
            final class Mark implements Event {
                volatile CompletableFuture<Void> point = CompletableFuture.completedFuture(null);

                @Override
                public void close() {
                }
            }

            @Override
            public Event newEvent() {
                return new Mark();
            }

            @Override
            public void record(Event e) {
                ((Mark) e).point = queue(() -> {
                });
            }

            @Override
            public void waitFor(Event e) {
                CompletableFuture<Void> p = ((Mark) e).point;
                queue(p::join);
            }

            @Override
            public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
                long from = src.address(srcOffset);
                long to = dst.address(dstOffset);
                if (srcOffset + bytes > src.bytes() || dstOffset + bytes > dst.bytes()) {
                    throw new IndexOutOfBoundsException("copy of " + bytes + " bytes out of " + src + " or " + dst);
                }
                int n = Math.toIntExact(bytes / 4);
                queue(() -> {
                    float[] tmp = new float[n];
                    memory.read(from, tmp, n);
                    memory.write(tmp, to, n);
                });
            }
        }
    }

    @Override
    public int count() {
        return devices.size();
    }

    @Override
    public CudaCollectives.Member member(int d) {
        Device dev = devices.get(d);
        return new CudaCollectives.Member(dev.stream, dev.pool, dev.kernels);
    }

    @Override
    public void write(int d, float[] values, DeviceBuffer buf) {
        float[] copy = values.clone();
        long at = buf.address();
        devices.get(d).queue(() -> memory.write(copy, at, copy.length));
    }

    @Override
    public float[] read(int d, DeviceBuffer buf, int n) {
        Device dev = devices.get(d);
        dev.synchronize();
        float[] out = new float[n];
        memory.read(buf.address(), out, n);
        return out;
    }

    /** Int values as the float bits device memory holds them in, and back. */
    static float[] floats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = Float.intBitsToFloat(v[i]);
        }
        return f;
    }

    static int[] bits(float[] f) {
        int[] v = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = Float.floatToRawIntBits(f[i]);
        }
        return v;
    }

    /** Device {@code d} as a backend: its pool, its stream, its kernels. */
    EmulatedGpuBackend backend(int d) {
        return new EmulatedGpuBackend(this, d);
    }

    void synchronize(int d) {
        devices.get(d).synchronize();
    }

    Kernels<DeviceBuffer, DeviceBuffer> kernels(int d) {
        return devices.get(d).kernels;
    }

    DevicePool pool(int d) {
        return devices.get(d).pool;
    }

    @Override
    public void close() {
        for (Device d : devices) {
            d.thread.shutdownNow();
            d.pool.close();
        }
    }
}
