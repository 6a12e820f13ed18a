package io.github.alpa4j.engine.runtime;

import static io.github.alpa4j.engine.runtime.Backends.closeAfterFailure;
import static io.github.alpa4j.engine.runtime.Backends.describe;
import static io.github.alpa4j.engine.runtime.Backends.driven;
import static io.github.alpa4j.engine.runtime.Backends.openGpu;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.NcclComm;
import io.github.alpa4j.cuda.NcclGroup;
import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.NcclCollectives;
import io.github.alpa4j.engine.collective.TcpTransport;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.PipelineLowering;
import io.github.alpa4j.engine.lower.PipelineProgram;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans on real GPUs, one device per GPU, with NCCL: from this process ({@code --devices}), or this
 * process's share of the devices under a launcher (one process per GPU, the world communicator made
 * from the rendezvous' unique id). {@link Backends} holds the CPU and the single-GPU factories.
 */
public final class NcclBackends {
    private NcclBackends() {
    }

    /**
     * A lowered plan with one device per GPU ({@code ordinals[d]} runs device d), driven from this
     * process: collectives through NCCL, one communicator per mesh-axis group.
     */
    public static BackendRunner cudaMeshGpus(MeshProgram program, MatmulPrecision precision, long seed, int[] ordinals) {
        var mesh = program.plan().mesh();
        OnGpus g = OnGpus.open(ordinals, precision, List.of(new NcclCollectives.Stage(0, mesh.rows(), mesh.cols())));
        try {
            MeshRuntime<DeviceBuffer, DeviceBuffer> rt = new MeshRuntime<>(program, g.devices::get, g.nccl.stage(0), seed);
            List<AutoCloseable> closeOrder = new ArrayList<>(List.of(rt, g.nccl));
            closeOrder.addAll(g.gpus);
            return new BackendRunner(rt, "cuda " + precision.code() + " on GPUs " + java.util.Arrays.toString(ordinals) + " (NCCL), mesh "
                    + mesh, g.devices, closeOrder);
        } catch (RuntimeException e) {
            g.closeAfter(e);
            throw e;
        }
    }

    /** A pipeline plan with one device per GPU, stages' collectives and the transfers between them through NCCL. */
    public static BackendRunner cudaPipelineGpus(PipelinePlan plan, MatmulPrecision precision, long seed, int[] ordinals) {
        PipelineProgram program = PipelineLowering.lower(plan);
        List<NcclCollectives.Stage> stages = program.stages().stream()
                .map(st -> new NcclCollectives.Stage(st.firstDevice(), st.groups().rows(), st.groups().cols())).toList();
        OnGpus g = OnGpus.open(ordinals, precision, stages);
        try {
            PipelineRuntime<DeviceBuffer, DeviceBuffer> rt = new PipelineRuntime<>(program, g.devices::get,
                    s -> g.nccl.stage(program.stages().get(s).firstDevice()), g.nccl.transfers(0), g.nccl.transfers(1), seed);
            List<AutoCloseable> closeOrder = new ArrayList<>(List.of(rt, g.nccl));
            closeOrder.addAll(g.gpus);
            return new BackendRunner(rt, "cuda " + precision.code() + " on GPUs " + java.util.Arrays.toString(ordinals)
                    + " (NCCL), pipeline " + describe(plan), g.devices, closeOrder);
        } catch (RuntimeException e) {
            g.closeAfter(e);
            throw e;
        }
    }

    /**
     * This process's devices of a lowered plan whose devices several processes drive, one GPU each
     * ({@code ordinals[i]} runs device {@code links.firstDevice(rank) + i}): collectives through NCCL
     * communicators made from the job's unique id {@code ncclId}, the step's host bytes (outputs,
     * checkpoint records, failures) over {@code links}. A failure on either aborts the other.
     */
    public static BackendRunner cudaMeshRanks(MeshProgram program, MatmulPrecision precision, long seed, int[] ordinals,
                                              TcpTransport links, NcclUniqueId ncclId) {
        var mesh = program.plan().mesh();
        OnGpus g = OnGpus.open(ordinals, precision, List.of(new NcclCollectives.Stage(0, mesh.rows(), mesh.cols())), links, ncclId);
        try {
            int first = links.firstDevice(links.rank());
            MeshRuntime<DeviceBuffer, DeviceBuffer> rt = new MeshRuntime<>(program, d -> g.devices.get(d - first), g.nccl.stage(0), seed, links);
            return g.rankRunner(rt, "cuda " + precision.code() + " mesh " + mesh + ", ", ordinals, links);
        } catch (RuntimeException e) {
            throw g.rankFailed(links, e);
        }
    }

    /** This process's devices of a pipeline plan whose devices several processes drive, one GPU each, like {@link #cudaMeshRanks}. */
    public static BackendRunner cudaPipelineRanks(PipelinePlan plan, MatmulPrecision precision, long seed, int[] ordinals,
                                                  TcpTransport links, NcclUniqueId ncclId) {
        PipelineProgram program = PipelineLowering.lower(plan);
        List<NcclCollectives.Stage> stages = program.stages().stream()
                .map(st -> new NcclCollectives.Stage(st.firstDevice(), st.groups().rows(), st.groups().cols())).toList();
        OnGpus g = OnGpus.open(ordinals, precision, stages, links, ncclId);
        try {
            int first = links.firstDevice(links.rank());
            PipelineRuntime<DeviceBuffer, DeviceBuffer> rt = new PipelineRuntime<>(program, d -> g.devices.get(d - first),
                    s -> g.nccl.stage(program.stages().get(s).firstDevice()), g.nccl.transfers(0), g.nccl.transfers(1), seed, links);
            return g.rankRunner(rt, "cuda " + precision.code() + " pipeline " + describe(plan) + "; ", ordinals, links);
        } catch (RuntimeException e) {
            throw g.rankFailed(links, e);
        }
    }

    /**
     * One device per GPU and their communicators split as the stages need, from a world communicator
     * over every device of the job: in one process by {@code ncclCommInitAll}; across processes by
     * {@code ncclCommInitRank} from the rendezvous' unique id, NCCL rank = the plan's device number.
     */
    private record OnGpus(List<GpuContext> gpus, List<CudaBackend> devices, NcclCollectives nccl) {
        static OnGpus open(int[] ordinals, MatmulPrecision precision, List<NcclCollectives.Stage> stages) {
            return open(ordinals, precision, stages, null, null);
        }

        /** With {@code links}, this process's share of the job's devices, joined to the others by {@code ncclId}. */
        static OnGpus open(int[] ordinals, MatmulPrecision precision, List<NcclCollectives.Stage> stages, TcpTransport links,
                           NcclUniqueId ncclId) {
            Backends.requireGpu();
            try {
                Gpu.require(CudaLibrary.NCCL);
            } catch (CudaUnavailableException e) {
                throw new UserInputException((links == null ? "--devices" : "--backend cuda under a launcher")
                        + ": collectives between GPUs need NCCL: " + e.getMessage(), e);
            }
            List<GpuContext> gpus = new ArrayList<>();
            List<CudaBackend> devices = new ArrayList<>();
            List<NcclComm> world = new java.util.concurrent.CopyOnWriteArrayList<>();
            try {
                for (int ordinal : ordinals) {
                    GpuContext gpu = openGpu(ordinal);
                    gpus.add(gpu);
                    devices.add(CudaBackend.open(gpu, "cuda" + ordinal, precision));
                }
                int first = links == null ? 0 : links.firstDevice(links.rank());
                if (links == null) {
                    world.addAll(NcclComm.initAll(gpus.stream().map(GpuContext::device).toList()));
                } else {
                    // a peer that fails while this rank waits in ncclCommInitRank or a split: abort what exists, so nothing waits on
                    links.onFailure(reason -> abortQuietly(world));
                    try (NcclGroup grouped = NcclGroup.start()) {
                        for (int i = 0; i < ordinals.length; i++) {
                            world.add(NcclComm.initRank(gpus.get(i).device(), links.devices(), ncclId, first + i));
                        }
                    }
                }
                List<NcclCollectives.Local> locals = new ArrayList<>();
                for (int i = 0; i < ordinals.length; i++) {
                    locals.add(new NcclCollectives.Local(first + i, devices.get(i).stream(), world.get(i)));
                }
                NcclCollectives nccl = new NcclCollectives(locals, stages);
                if (links != null) {
                    // a peer's failure aborts our communicators; our NCCL error (or abort) tells the peers
                    links.onFailure(nccl::abort);
                    nccl.onAbort(reason -> {
                        if (links.failure() == null) {
                            links.abort(reason);
                        }
                    });
                }
                return new OnGpus(gpus, devices, nccl);
            } catch (RuntimeException e) {
                if (links != null) {
                    if (links.failure() == null) {
                        links.abort(String.valueOf(e.getMessage()));
                    }
                    abortQuietly(world);
                }
                List<AutoCloseable> parts = new ArrayList<>(devices);
                parts.addAll(gpus);
                closeAfterFailure(e, parts.toArray(AutoCloseable[]::new));
                throw e;
            }
        }

        private static synchronized void abortQuietly(List<NcclComm> comms) {
            for (NcclComm c : List.copyOf(comms)) {
                try {
                    c.abort();
                } catch (RuntimeException e) {
                    // the others still need aborting
                }
            }
        }

        /** This rank's runner of {@code rt}, described as {@code what} and the devices and GPUs it drives; closed runtime first. */
        <R extends StepRunner & AutoCloseable> BackendRunner rankRunner(R rt, String what, int[] ordinals, TcpTransport links) {
            List<AutoCloseable> closeOrder = new ArrayList<>(List.<AutoCloseable>of(rt, nccl, links));
            closeOrder.addAll(gpus);
            return new BackendRunner(rt, what + driven(links) + " on GPU" + (ordinals.length == 1 ? " " + ordinals[0]
                    : "s " + java.util.Arrays.toString(ordinals)) + " in rank " + links.rank() + " of " + links.size() + " (NCCL)",
                    devices, closeOrder);
        }

        /** Aborts the communicators (the peers may wait on them), closes what was opened; {@code e} to rethrow. */
        RuntimeException rankFailed(TcpTransport links, RuntimeException e) {
            nccl.abort("rank " + links.rank() + " could not start: " + e.getMessage());
            closeAfter(e);
            return e;
        }

        void closeAfter(RuntimeException e) {
            List<AutoCloseable> parts = new ArrayList<>(devices);
            parts.add(nccl);
            parts.addAll(gpus);
            closeAfterFailure(e, parts.toArray(AutoCloseable[]::new));
        }
    }
}
