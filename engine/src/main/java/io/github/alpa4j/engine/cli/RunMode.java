package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.dist.Rendezvous;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import io.github.alpa4j.engine.runtime.MemoryEstimate;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.train.CostCheck;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanJson;
import io.github.alpa4j.planner.plan.PlanReader;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.planner.stage.PipelineJson;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How {@code train} runs, chosen once from its flags (as Megatron's get_forward_backward_func picks
 * the schedule once): the whole step on one device, one intra-op plan over a mesh, a pipeline of
 * stages, or one rank of a multi-process job. Each mode plans what it needs, prints the plan, and
 * hands back the runner and what the metrics' configuration says about it.
 */
sealed interface RunMode {

    /**
     * What a mode built: the runner of the steps, its entries in the metrics JSON's configuration, and the
     * plan it runs (an intra-op plan over a mesh, or a pipeline; neither on one device).
     */
    record Prepared(BackendRunner runner, Map<String, Object> config, IntraOpPlan meshPlan, PipelinePlan pipelinePlan) {
        Prepared(BackendRunner runner, Map<String, Object> config) {
            this(runner, config, null, null);
        }

        /** The plan's prediction against what the run measured; empty without a plan. */
        java.util.Optional<CostCheck> check(io.github.alpa4j.engine.train.TrainResult r) {
            List<Double> seconds = r.steps().stream().map(m -> m.seconds()).toList();
            if (meshPlan != null) {
                return java.util.Optional.of(CostCheck.of(meshPlan.iterationTime(), seconds, new double[0][], List.of()));
            }
            if (pipelinePlan == null) {
                return java.util.Optional.empty();
            }
            double[][] stages = new double[pipelinePlan.stages().size()][];
            for (var st : pipelinePlan.stages()) {
                stages[st.index()] = new double[] {st.cost().forwardSeconds(), st.cost().backwardSeconds()};
            }
            List<double[][]> measured = runner.runner() instanceof PipelineRuntime<?, ?> p ? p.stageSecondsPerStep() : List.of();
            return java.util.Optional.of(CostCheck.of(pipelinePlan.iterationSeconds(), seconds, stages, measured));
        }

        /** The plan's JSON (what a checkpoint keeps of it); empty on one device. */
        Optional<String> plan() {
            if (meshPlan != null) {
                return Optional.of(PlanJson.toJson(meshPlan));
            }
            return pipelinePlan != null ? Optional.of(PipelineJson.toJson(pipelinePlan)) : Optional.empty();
        }

        /** The last step's passes per device, for a pipeline's measured schedule; empty otherwise. */
        List<List<PipelineRuntime.TaskTiming>> lastStepTasks() {
            return runner.runner() instanceof PipelineRuntime<?, ?> p ? p.lastStepTasks() : List.of();
        }
    }

    /** Plans (where the mode plans), prints the plan, and opens the devices. */
    Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out);

    /** The mode the flags ask for, or a one-line refusal of flags that contradict each other. */
    static RunMode of(TrainCommand c, Optional<LaunchEnv> launch) {
        if (launch.isPresent() && launch.get().distributed()) {
            return new MultiProcess(launch.get());
        }
        boolean cuda = c.cudaBackend();
        MatmulPrecision precision = matmulPrecision(c.model, cuda);
        MeshOptions mesh = c.meshOptions;
        boolean pipelinePlan = c.pipeline || PipelinePlanning.isPipelinePlan(mesh.method);
        if (c.intraOpOnly && pipelinePlan) {
            throw new UserInputException("--intra-op-only contradicts --pipeline and megatron: pipeline plans");
        }
        // Alpa's automatic plan on a mesh searches pipeline stages too (one stage is among the candidates);
        // saved plans hold one intra-op plan
        boolean autoStages = mesh.method.equals("auto") && mesh.mesh != null && !c.intraOpOnly
                && c.loadPlan == null && c.savePlan == null;
        if (pipelinePlan && (c.loadPlan != null || c.savePlan != null)) {
            throw new UserInputException("--load-plan and --save-plan hold intra-op plans; a pipeline is planned on every run"
                    + " (see ./alpa4j plan --pipeline --json for its plan)");
        }
        if (cuda) {
            Backends.requireGpu();
        }
        RunMode mode = pipelinePlan || autoStages ? new Pipeline(cuda, precision)
                : mesh.mesh != null || c.loadPlan != null ? new Mesh(cuda, precision) : new SingleDevice(cuda, precision);
        InapplicableFlags.refuse(c, mode);
        return mode;
    }

    /**
     * How CUDA multiplies for the graph's precision: bf16 graphs on bf16 tensor cores (their operands hold bf16
     * values, so the cast is exact), tf32 on TF32 tensor cores, fp32 and fp16 graphs in f32 (a product of two
     * f16 values is exact in f32, so this is f16 arithmetic with f32 accumulation, without f16's tensor-core rate).
     */
    private static MatmulPrecision matmulPrecision(ModelOptions model, boolean cuda) {
        if (model.isTf32()) {
            if (!cuda) {
                throw new UserInputException("--precision tf32 needs --backend cuda (it is CUDA's TF32 matmul mode; the CPU has none)");
            }
            return MatmulPrecision.TF32;
        }
        return model.precision() == io.github.alpa4j.ir.Precision.BF16 && cuda ? MatmulPrecision.BF16 : MatmulPrecision.FP32;
    }

    /** The whole step on one device. */
    record SingleDevice(boolean cuda, MatmulPrecision precision) implements RunMode {
        @Override
        public Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out) {
            Graph step = RematPlanning.oneDevice(training, cmd.model.remat());
            MemoryEstimate.require(MemoryEstimate.singleDevice(step, Set.of("loss")), cuda, "the training step on one device");
            BackendRunner r = cuda ? Backends.singleCuda(step, precision, cmd.seed, Set.of("loss"))
                    : Backends.singleCpu(step, cmd.seed, Set.of("loss"));
            return new Prepared(r, Map.of());
        }
    }

    /** One intra-op plan (planned, or loaded from --load-plan) lowered over the devices of --mesh. */
    record Mesh(boolean cuda, MatmulPrecision precision) implements RunMode {
        @Override
        public Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out) {
            MeshOptions o = cmd.meshOptions;
            Graph step = DeadCodeElimination.apply(training.keepOutputs(List.of("loss")));
            String fallback = cmd.loadPlan != null ? PlanReader.meshShape(cmd.loadPlan) : "1x1";
            DeviceMesh mesh = meshOf(cmd, fallback);
            Optional<Path> saved = cmd.loadPlan != null ? Optional.of(cmd.loadPlan) : cmd.checkpointPlan(mesh.toString(), o.method);
            IntraOpPlan plan = saved.isPresent() ? PlanReader.read(saved.get(), RematPlanning.oneDevice(step, cmd.model.remat()), mesh, o.options())
                    : RematPlanning.plan(step, mesh, o.options(), PlanMethod.parse(o.method), cmd.model.remat());
            if (cmd.loadPlan == null && saved.isPresent()) {
                out.println("plan from the checkpoint " + saved.get());
            }
            if (cmd.savePlan != null) {
                OutputFile.write(cmd.savePlan, PlanJson.toJson(plan));
            }
            out.printf("plan %s on mesh %s (%s): predicted %s per step on %s, %d collectives, %s per device%n", plan.method(), mesh,
                    plan.status(), Units.seconds(plan.iterationTime()), o.cluster, plan.collectives().size(),
                    Units.bytes(plan.workingMemoryBytes()));
            var program = Lowering.lower(plan);
            MemoryEstimate.require(MemoryEstimate.mesh(plan), cuda, "the plan on " + mesh.deviceCount() + " devices");
            BackendRunner r = cuda ? Backends.cudaMesh(program, precision, cmd.seed) : Backends.cpuMesh(program, cmd.seed);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("mesh", mesh.toString());
            config.put("plan", cmd.loadPlan != null ? "file:" + cmd.loadPlan : o.method);
            config.put("cluster", o.cluster);
            return new Prepared(r, config, plan, null);
        }
    }

    /** The --mesh, or the one a --load-plan file was made for (a refusal of that names the file). */
    private static DeviceMesh meshOf(TrainCommand cmd, String fallback) {
        try {
            return cmd.meshOptions.mesh(fallback);
        } catch (PlanningException e) {
            if (cmd.loadPlan != null && cmd.meshOptions.mesh == null) {
                throw new PlanningException("plan " + cmd.loadPlan + ": " + e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Stages over the --mesh devices (ROWS hosts of COLS devices) or the whole cluster: simulated CPU
     * devices, or logical devices sharing GPU 0.
     */
    record Pipeline(boolean cuda, MatmulPrecision precision) implements RunMode {
        @Override
        public Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out) {
            MeshOptions o = cmd.meshOptions;
            Cluster c = o.cluster();
            if (o.mesh != null) {
                DeviceMesh m = o.mesh("1x1");
                c = c.withShape(m.rows(), m.cols());
            }
            PipelinePlanning.Request request = new PipelinePlanning.Request(o.method, cmd.pipelineOptions, o.options(),
                    o.memoryBudget != null, m -> microbatchGraph(cmd, opt, cmd.model.batchSize() / m), cmd.model.batchSize(),
                    cmd.model.remat());
            PipelinePlan plan = new PipelinePlanning(request, c).plan();
            out.print(PipelineReport.render(plan));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("pipeline", Backends.describe(plan));
            if (o.mesh != null) {
                config.put("mesh", o.mesh);
            }
            config.put("plan", o.method);
            config.put("cluster", o.cluster);
            MemoryEstimate.require(MemoryEstimate.pipeline(plan), cuda, "the pipeline on " + plan.deviceCount() + " devices");
            BackendRunner r = cuda ? Backends.cudaPipeline(plan, precision, cmd.seed) : Backends.cpuPipeline(plan, cmd.seed);
            return new Prepared(r, config, null, plan);
        }

        /** The training step of one microbatch of {@code batch} samples. */
        private static Graph microbatchGraph(TrainCommand cmd, Optimizer opt, int batch) {
            return DeadCodeElimination.apply(cmd.model.trainingStep(cmd.model.build(batch), opt)
                    .keepOutputs(List.of("loss")));
        }

    }

    /**
     * One rank of a job started by launch, srun or mpirun: meets the others through rank 0's store and
     * receives the job's NCCL id. Training across processes needs NCCL between GPUs, which the CPU
     * backend has no counterpart of; the engine itself still drives its devices from one process, so
     * after a successful rendezvous this refuses, saying so.
     */
    record MultiProcess(LaunchEnv env) implements RunMode {
        @Override
        public Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out) {
            if (!cmd.cudaBackend()) {
                throw new UserInputException("multi-process training (WORLD_SIZE=" + env.worldSize() + ") needs --backend cuda with NCCL "
                        + "between the processes; --backend cpu simulates a mesh inside one process: run it without a launcher, with --mesh");
            }
            if (!(cmd.rendezvousTimeout > 0) || cmd.rendezvousTimeout > Rendezvous.MAX_TIMEOUT.toSeconds()) {
                throw new UserInputException("--rendezvous-timeout must be positive and at most " + Rendezvous.MAX_TIMEOUT.toSeconds()
                        + " s (a week), got " + cmd.rendezvousTimeout);
            }
            try (Rendezvous rv = Rendezvous.join(env, java.time.Duration.ofMillis(Math.round(cmd.rendezvousTimeout * 1000)))) {
                rv.barrier("train");
                NcclUniqueId id = rv.exchangeNcclId(() -> {
                    requireNccl();
                    return NcclUniqueId.create();
                });
                requireNccl();
                out.printf("rank %d of %d: rendezvous at %s:%d done, NCCL id %s%n", env.rank(), env.worldSize(), env.masterAddr(),
                        rv.port(), id);
                out.flush();
                throw new UserInputException("multi-process training is not available yet: the " + env.worldSize()
                        + " ranks met and share an NCCL id, but the engine drives its devices from one process; on one host use --mesh");
            }
        }

        private void requireNccl() {
            try {
                Gpu.require(CudaLibrary.CUDART, CudaLibrary.CUBLAS, CudaLibrary.NVRTC, CudaLibrary.NCCL);
            } catch (CudaUnavailableException e) {
                throw new UserInputException("multi-process training needs the cuda backend with NCCL on every rank; rank " + env.rank()
                        + ": " + e.getMessage(), e);
            }
        }
    }
}
