package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuDevice;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.CpuCollectives;
import io.github.alpa4j.engine.collective.CudaCollectives;
import io.github.alpa4j.engine.collective.DeviceStream;
import io.github.alpa4j.engine.collective.TcpCollectives;
import io.github.alpa4j.engine.collective.TcpTransport;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.PipelineLowering;
import io.github.alpa4j.engine.lower.PipelineProgram;
import io.github.alpa4j.engine.lower.StageProgram;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where a training step runs: the CPU (one simulated device, or a simulated mesh of them) or a GPU
 * (one device, or a mesh of logical devices sharing it, each with its own stream and memory). Each
 * factory returns a {@link BackendRunner} to close when done. Asking for the GPU where there is
 * none is a user error that says what is missing and what to install.
 */
public final class Backends {
    /** How long a simulated pipeline device waits for another before it reports a hang. */
    private static final long PIPELINE_TIMEOUT_S = 1800;

    private Backends() {
    }

    /** The whole graph on one CPU device that computes with every core this process may use. */
    public static BackendRunner singleCpu(Graph graph, long seed, Set<String> fetch) {
        return singleCpu(graph, seed, fetch, Runtime.getRuntime().availableProcessors());
    }

    /** The whole graph on one CPU device that splits its kernels over {@code threads} threads. */
    public static BackendRunner singleCpu(Graph graph, long seed, Set<String> fetch, int threads) {
        CpuBackend cpu = CpuBackend.wholeMachine(threads);
        try {
            return new BackendRunner(new SingleDeviceExecutor<>(graph, cpu, seed, fetch), "cpu", List.of(cpu), List.of(cpu));
        } catch (RuntimeException e) {
            closeAfterFailure(e, cpu);
            throw e;
        }
    }

    /** A lowered plan on simulated CPU devices, one thread each. */
    public static BackendRunner cpuMesh(MeshProgram program, long seed) {
        int n = program.plan().mesh().deviceCount();
        List<CpuBackend> devices = new ArrayList<>();
        for (int d = 0; d < n; d++) {
            devices.add(new CpuBackend("cpu" + d));
        }
        MeshRuntime<float[], int[]> rt = new MeshRuntime<>(program, devices::get, new CpuCollectives(), seed);
        return new BackendRunner(rt, "simulated mesh " + program.plan().mesh(), devices, List.of(rt));
    }

    /**
     * This process's devices of a lowered plan whose devices several processes drive (one job under a
     * launcher), collectives among them over {@code links}; closing the runner closes the links.
     */
    public static BackendRunner cpuMesh(MeshProgram program, long seed, TcpTransport links) {
        List<CpuBackend> devices = new ArrayList<>();
        MeshRuntime<float[], int[]> rt = new MeshRuntime<>(program, d -> {
            CpuBackend b = new CpuBackend("cpu" + d);
            devices.add(b);
            return b;
        }, new TcpCollectives(links, 0, 0), seed, links);
        return new BackendRunner(rt, "mesh " + program.plan().mesh() + ", " + driven(links) + " in rank " + links.rank() + " of " + links.size(), devices, List.of(rt, links));
    }

    /** This process's devices of a pipeline plan whose devices several processes drive, like {@link #cpuMesh(MeshProgram, long, TcpTransport)}. */
    public static BackendRunner cpuPipeline(PipelinePlan plan, long seed, TcpTransport links) {
        List<CpuBackend> devices = new ArrayList<>();
        PipelineProgram program = PipelineLowering.lower(plan);
        PipelineRuntime<float[], int[]> rt = new PipelineRuntime<>(program, d -> {
            CpuBackend b = new CpuBackend("cpu" + d);
            devices.add(b);
            return b;
        }, s -> new TcpCollectives(links, 2 + s, program.stages().get(s).firstDevice()),
                new TcpCollectives(links, 0, 0), new TcpCollectives(links, 1, 0), seed, links);
        return new BackendRunner(rt, "pipeline " + describe(plan) + "; " + driven(links) + " in rank " + links.rank() + " of " + links.size(), devices, List.of(rt, links));
    }

    /** {@code devices 2-3}: the devices this rank drives. */
    static String driven(TcpTransport links) {
        int per = links.devices() / links.size();
        int first = links.firstDevice(links.rank());
        return per == 1 ? "device " + first : "devices " + first + "-" + (first + per - 1);
    }

    /** A pipeline plan on simulated CPU devices, one thread each, stages on disjoint devices. */
    public static BackendRunner cpuPipeline(PipelinePlan plan, long seed) {
        List<CpuBackend> devices = new ArrayList<>();
        for (int d = 0; d < plan.deviceCount(); d++) {
            devices.add(new CpuBackend("cpu" + d));
        }
        // a GPipe stage waits for every forward of every later stage before its first backward: long timeouts
        PipelineRuntime<float[], int[]> rt = new PipelineRuntime<>(PipelineLowering.lower(plan), devices::get, s -> new CpuCollectives(PIPELINE_TIMEOUT_S),
                new CpuCollectives(PIPELINE_TIMEOUT_S), new CpuCollectives(PIPELINE_TIMEOUT_S), seed);
        return new BackendRunner(rt, "simulated pipeline " + describe(plan), devices, List.of(rt));
    }

    /** {@code 2 stages on 1x2, 1x2; 1f1b, 4 microbatches}. */
    public static String describe(PipelinePlan plan) {
        return plan.stages().size() + (plan.stages().size() == 1 ? " stage on " : " stages on ") + plan.stages().stream().map(s -> s.mesh().rows() + "x" + s.mesh().cols())
                .collect(java.util.stream.Collectors.joining(", ")) + "; " + plan.schedule().cliName() + ", "
                + plan.microbatches() + (plan.microbatches() == 1 ? " microbatch" : " microbatches");
    }

    /** The whole graph on GPU 0 with matrix products at {@code precision}. */
    public static BackendRunner singleCuda(Graph graph, MatmulPrecision precision, long seed, Set<String> fetch) {
        return singleCuda(0, graph, precision, seed, fetch);
    }

    /** The whole graph on GPU {@code ordinal}. */
    public static BackendRunner singleCuda(int ordinal, Graph graph, MatmulPrecision precision, long seed, Set<String> fetch) {
        GpuContext gpu = openGpu(ordinal);
        CudaBackend device = null;
        try {
            device = CudaBackend.open(gpu, "cuda" + ordinal, precision);
            SingleDeviceExecutor<DeviceBuffer, DeviceBuffer> ex = new SingleDeviceExecutor<>(graph, device, seed, fetch);
            return new BackendRunner(ex, describe(gpu, precision, 1), List.of(device), List.of(device, gpu));
        } catch (RuntimeException e) {
            closeAfterFailure(e, device, gpu);
            throw e;
        }
    }

    /** A lowered plan on logical devices that all share GPU 0 (a 2×2 mesh on one card, say). */
    public static BackendRunner cudaMesh(MeshProgram program, MatmulPrecision precision, long seed) {
        return cudaMesh(0, program, precision, seed);
    }

    /** A lowered plan on logical devices that all share GPU {@code ordinal}: collectives are device copies and reduction kernels. */
    public static BackendRunner cudaMesh(int ordinal, MeshProgram program, MatmulPrecision precision, long seed) {
        int n = program.plan().mesh().deviceCount();
        GpuContext gpu = openGpu(ordinal);
        List<CudaBackend> devices = new ArrayList<>();
        CudaCollectives collectives = null;
        try {
            for (int d = 0; d < n; d++) {
                devices.add(CudaBackend.open(gpu, "cuda" + ordinal + "/" + d, precision));
            }
            List<CudaCollectives.Member> members = new ArrayList<>();
            for (CudaBackend b : devices) {
                members.add(new CudaCollectives.Member(DeviceStream.of(b.stream()), b.pool(), b.kernels()));
            }
            collectives = new CudaCollectives(members);
            MeshRuntime<DeviceBuffer, DeviceBuffer> rt = new MeshRuntime<>(program, devices::get, collectives, seed);
            return new BackendRunner(rt, describe(gpu, precision, n) + ", mesh " + program.plan().mesh(), devices,
                    List.of(rt, collectives, gpu));
        } catch (RuntimeException e) {
            List<AutoCloseable> parts = new ArrayList<>(devices);
            parts.add(collectives);
            parts.add(gpu);
            closeAfterFailure(e, parts.toArray(AutoCloseable[]::new));
            throw e;
        }
    }

    /**
     * A pipeline plan on logical devices that all share GPU 0, stages on disjoint ones: each stage's
     * collectives and the transfers between stages are device copies (sends eager, ordered by events).
     */
    public static BackendRunner cudaPipeline(PipelinePlan plan, MatmulPrecision precision, long seed) {
        int n = plan.deviceCount();
        GpuContext gpu = openGpu(0);
        List<CudaBackend> devices = new ArrayList<>();
        List<AutoCloseable> links = new ArrayList<>();
        try {
            List<CudaCollectives.Member> members = new ArrayList<>();
            for (int d = 0; d < n; d++) {
                CudaBackend b = CudaBackend.open(gpu, "cuda0/" + d, precision);
                devices.add(b);
                members.add(new CudaCollectives.Member(DeviceStream.of(b.stream()), b.pool(), b.kernels()));
            }
            PipelineProgram program = PipelineLowering.lower(plan);
            CudaCollectives forward = new CudaCollectives(members, PIPELINE_TIMEOUT_S);
            links.add(forward);
            CudaCollectives backward = new CudaCollectives(members, PIPELINE_TIMEOUT_S);
            links.add(backward);
            List<CudaCollectives> stageLinks = new ArrayList<>();
            for (StageProgram st : program.stages()) {
                CudaCollectives c = new CudaCollectives(members.subList(st.firstDevice(), st.firstDevice() + st.deviceCount()));
                stageLinks.add(c);
                links.add(c);
            }
            PipelineRuntime<DeviceBuffer, DeviceBuffer> rt = new PipelineRuntime<>(program, devices::get, stageLinks::get,
                    forward, backward, seed);
            List<AutoCloseable> closeOrder = new ArrayList<>(List.of(rt));
            closeOrder.addAll(links);
            closeOrder.add(gpu);
            return new BackendRunner(rt, describe(gpu, precision, n) + ", pipeline " + describe(plan), devices, closeOrder);
        } catch (RuntimeException e) {
            List<AutoCloseable> parts = new ArrayList<>(devices);
            parts.addAll(links);
            parts.add(gpu);
            closeAfterFailure(e, parts.toArray(AutoCloseable[]::new));
            throw e;
        }
    }

    /**
     * Checks that this machine can run the CUDA backend.
     *
     * @throws UserInputException saying what is missing and what to do, when it cannot
     */
    public static void requireGpu() {
        try {
            Gpu.require(CudaLibrary.CUDART, CudaLibrary.CUBLAS, CudaLibrary.NVRTC);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--backend cuda: " + e.getMessage() + " (or use --backend cpu)", e);
        }
    }

    static GpuContext openGpu(int ordinal) {
        requireGpu();
        try {
            return GpuContext.open(ordinal);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--backend cuda: " + e.getMessage(), e);
        }
    }

    static String describe(GpuContext gpu, MatmulPrecision precision, int devices) {
        GpuDevice d = gpu.device().info();
        return "cuda " + precision.code() + " on " + d.name() + " (" + d.arch() + ")"
                + (devices > 1 ? ", " + devices + " logical devices" : "");
    }

    static void closeAfterFailure(RuntimeException failure, AutoCloseable... parts) {
        for (AutoCloseable c : parts) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
