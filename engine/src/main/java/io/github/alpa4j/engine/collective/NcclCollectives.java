package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.CudaEvent;
import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.NcclComm;
import io.github.alpa4j.cuda.NcclDataType;
import io.github.alpa4j.cuda.NcclGroup;
import io.github.alpa4j.cuda.NcclReduceOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collectives among devices on separate GPUs, through NCCL: the job's devices form one world
 * communicator (NCCL rank = the plan's device number, across every process), split once
 * ({@code ncclCommSplit}, every rank in the same order) into one communicator per stage, per mesh
 * axis group within a stage, and one each for the forward and backward transfers between stages. A
 * collective is one NCCL call on the group's communicator, queued on the device's stream; an
 * all-to-all is one group of sends and receives.
 *
 * <p>Transfers between stages are eager as {@link Collectives#send} asks: each device has a stream
 * per direction, the send waits there (on the GPU, not the host) for its buffer to be ready and the
 * device's later work waits for the send; so a 1F1B stage's forward send and backward receive never
 * queue behind one another.
 *
 * <p>Failures: a watchdog polls every communicator's asynchronous error; on one, or when
 * {@link #abort} is called (another rank failed), every communicator is aborted
 * ({@code ncclCommAbort}) so no device hangs in a collective, and later calls fail with the reason.
 */
public final class NcclCollectives implements AutoCloseable {
    /** The devices of one stage (a plain mesh is one stage): its first device of the plan and its mesh shape. */
    public record Stage(int firstDevice, int rows, int cols) {
        int devices() {
            return rows * cols;
        }
    }

    /** A device this process drives: its number in the plan, its stream (where its kernels run), its world communicator. */
    public record Local(int device, CudaStream stream, NcclComm world) {
    }

    private static final long WATCHDOG_MILLIS = 1000;

    /** Per local device: the communicator of each group it belongs to, by the group's plan devices. */
    private final Map<Integer, Map<List<Integer>, NcclComm>> comms = new HashMap<>();
    private final Map<Integer, Local> locals = new HashMap<>();
    /** Per local device, per direction: its transfer stream and the two events that order it against the device's stream. */
    private final Map<Integer, Link[]> links = new HashMap<>();
    private final List<NcclComm> all = new ArrayList<>();
    private final Thread watchdog;
    private volatile String failure;

    private record Link(CudaStream stream, CudaEvent ready, CudaEvent done, NcclComm comm) {
    }

    /**
     * Splits the world communicators of this process's devices into every group the stages need;
     * every process of the job calls it with its own devices and the same stages.
     */
    public NcclCollectives(List<Local> mine, List<Stage> stages) {
        for (Local l : mine) {
            locals.put(l.device(), l);
            comms.put(l.device(), new HashMap<>());
            all.add(l.world());
        }
        try {
            // rounds every rank takes in the same order: its stage, its column (axis 0), its row (axis 1), then the two directions
            for (int round = 0; round < 5; round++) {
                try (NcclGroup g = NcclGroup.start()) {
                    for (Local l : mine) {
                        Stage st = stageOf(stages, l.device());
                        int local = l.device() - st.firstDevice();
                        int r = local / st.cols();
                        int c = local % st.cols();
                        List<Integer> members = new ArrayList<>();
                        int color;
                        switch (round) {
                            case 0 -> {
                                color = st.firstDevice();
                                for (int d = 0; d < st.devices(); d++) {
                                    members.add(st.firstDevice() + d);
                                }
                            }
                            case 1 -> {
                                color = st.firstDevice() + c;
                                for (int i = 0; i < st.rows(); i++) {
                                    members.add(st.firstDevice() + i * st.cols() + c);
                                }
                            }
                            case 2 -> {
                                color = st.firstDevice() + r * st.cols();
                                for (int j = 0; j < st.cols(); j++) {
                                    members.add(st.firstDevice() + r * st.cols() + j);
                                }
                            }
                            default -> color = 0; // a copy of the world, for one direction of transfers
                        }
                        NcclComm split = l.world().split(color, round < 3 ? members.indexOf(l.device()) : l.device());
                        all.add(split);
                        if (round < 3) {
                            comms.get(l.device()).put(List.copyOf(members), split);
                        } else {
                            Link[] ls = links.computeIfAbsent(l.device(), k -> new Link[2]);
                            CudaStream s = CudaStream.create(l.world().device());
                            ls[round - 3] = new Link(s, CudaEvent.create(s.device(), false), CudaEvent.create(s.device(), false), split);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            abortAll("setting up the communicators failed: " + e.getMessage());
            throw e;
        }
        watchdog = new Thread(this::watch, "alpa4j-nccl-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static Stage stageOf(List<Stage> stages, int device) {
        for (Stage s : stages) {
            if (device >= s.firstDevice() && device < s.firstDevice() + s.devices()) {
                return s;
            }
        }
        throw new IllegalArgumentException("device " + device + " is in no stage of " + stages);
    }

    private void watch() {
        while (failure == null && !Thread.currentThread().isInterrupted()) {
            for (NcclComm c : all) {
                Optional<String> e;
                try {
                    e = c.asyncError();
                } catch (RuntimeException ex) {
                    e = Optional.of(ex.getMessage());
                }
                if (e.isPresent()) {
                    abortAll("NCCL error on device " + c.device().ordinal() + ": " + e.get());
                    return;
                }
            }
            try {
                Thread.sleep(WATCHDOG_MILLIS);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    /** Aborts every communicator of this process (another rank failed, or one of ours did): nothing waits on them after. */
    public void abort(String reason) {
        abortAll(reason);
    }

    private synchronized void abortAll(String reason) {
        if (failure != null) {
            return;
        }
        failure = reason;
        for (NcclComm c : all) {
            try {
                c.abort();
            } catch (RuntimeException e) {
                // aborting the rest matters more than this one's error
            }
        }
    }

    private void check() {
        if (failure != null) {
            throw new CollectiveFailedException(failure);
        }
    }

    /** The collectives of stage {@code firstDevice}'s mesh, its devices numbered from 0 as the stage's program numbers them. */
    public Collectives<DeviceBuffer> stage(int firstDevice) {
        return new View(firstDevice, -1);
    }

    /** Transfers between stages in one direction (0 forward, 1 backward), devices numbered over the plan. */
    public Collectives<DeviceBuffer> transfers(int direction) {
        return new View(0, direction);
    }

    private final class View implements Collectives<DeviceBuffer> {
        private final int offset;
        private final int direction;

        View(int offset, int direction) {
            this.offset = offset;
            this.direction = direction;
        }

        private Local local(int device) {
            Local l = locals.get(offset + device);
            if (l == null) {
                throw new IllegalArgumentException("device " + (offset + device) + " is not driven by this process");
            }
            return l;
        }

        private NcclComm comm(DeviceGroup g, int device) {
            List<Integer> members = new ArrayList<>();
            for (int d : g.devices()) {
                members.add(offset + d);
            }
            NcclComm c = comms.get(offset + device).get(members);
            if (c == null) {
                throw new IllegalArgumentException("no communicator for group " + g + " (stage from device " + offset + ")");
            }
            return c;
        }

        @Override
        public void allReduce(DeviceGroup g, int device, DeviceBuffer buf, long n, Reduction op) {
            check();
            comm(g, device).allReduce(buf, buf, n, NcclDataType.FLOAT32, op == Reduction.SUM ? NcclReduceOp.SUM : NcclReduceOp.MAX,
                    local(device).stream());
        }

        @Override
        public void allGather(DeviceGroup g, int device, DeviceBuffer in, long n, DeviceBuffer out) {
            check();
            comm(g, device).allGather(in, out, n, NcclDataType.FLOAT32, local(device).stream());
        }

        @Override
        public void reduceScatter(DeviceGroup g, int device, DeviceBuffer in, long n, DeviceBuffer out) {
            check();
            comm(g, device).reduceScatter(in, out, n, NcclDataType.FLOAT32, NcclReduceOp.SUM, local(device).stream());
        }

        @Override
        public void allToAll(DeviceGroup g, int device, DeviceBuffer in, long n, DeviceBuffer out) {
            check();
            NcclComm c = comm(g, device);
            CudaStream s = local(device).stream();
            try (NcclGroup grouped = NcclGroup.start()) {
                for (int r = 0; r < g.size(); r++) {
                    c.send(in, r * n, n, NcclDataType.FLOAT32, r, s);
                    c.recv(out, r * n, n, NcclDataType.FLOAT32, r, s);
                }
            }
        }

        @Override
        public void broadcast(DeviceGroup g, int device, int root, DeviceBuffer buf, long n) {
            check();
            comm(g, device).broadcast(buf, buf, n, NcclDataType.FLOAT32, root, local(device).stream());
        }

        private Link link(int device) {
            if (direction < 0) {
                throw new IllegalStateException("point-to-point transfers go on the transfer links, not a stage's collectives");
            }
            return links.get(offset + device)[direction];
        }

        @Override
        public void send(int from, int to, DeviceBuffer buf, long n) {
            check();
            CudaStream compute = local(from).stream();
            Link l = link(from);
            l.ready().record(compute);       // the buffer is written
            l.stream().waitFor(l.ready());
            l.comm().send(buf, n, NcclDataType.FLOAT32, offset + to, l.stream());
            l.done().record(l.stream());
            compute.waitFor(l.done());       // nothing reuses the buffer before it is sent
        }

        @Override
        public void recv(int to, int from, DeviceBuffer buf, long n) {
            check();
            CudaStream compute = local(to).stream();
            Link l = link(to);
            l.ready().record(compute);       // the buffer is allocated and free
            l.stream().waitFor(l.ready());
            l.comm().recv(buf, n, NcclDataType.FLOAT32, offset + from, l.stream());
            l.done().record(l.stream());
            compute.waitFor(l.done());       // the device reads it only once received
        }
    }

    /** Stops the watchdog and frees every communicator (aborted ones are already freed) and the transfer streams. */
    @Override
    public void close() {
        watchdog.interrupt();
        for (Link[] ls : links.values()) {
            for (Link l : ls) {
                if (l != null) {
                    l.ready().close();
                    l.done().close();
                    l.stream().close();
                }
            }
        }
        if (failure != null) {
            return;
        }
        for (NcclComm c : all) {
            c.close();
        }
    }
}
