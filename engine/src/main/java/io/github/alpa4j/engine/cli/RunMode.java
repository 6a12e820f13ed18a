package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaDevice;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.collective.TcpTransport;
import io.github.alpa4j.engine.dist.Rendezvous;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.dist.RankGpus;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.NcclBackends;
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
    /** The most threads {@code --cpu-threads} may ask for (each is started up front). */
    int MAX_CPU_THREADS = 1024;

    /**
     * What a mode built: the runner of the steps, its entries in the metrics JSON's configuration, and the
     * plan it runs (an intra-op plan over a mesh, or a pipeline; neither on one device).
     */
    record Prepared(BackendRunner runner, Map<String, Object> config, IntraOpPlan meshPlan, PipelinePlan pipelinePlan, RankGroup ranks) {
        Prepared(BackendRunner runner, Map<String, Object> config) {
            this(runner, config, null, null, null);
        }

        /** The processes of the job and the devices each drives; null when this process drives them all. */
        @Override
        public RankGroup ranks() {
            return ranks;
        }

        /** The plan's prediction against what the run measured; empty without a plan. */
        java.util.Optional<CostCheck> check(io.github.alpa4j.engine.train.TrainResult r, io.github.alpa4j.engine.train.SteadyState steady) {
            List<Double> seconds = r.steps().stream().map(m -> m.seconds()).toList();
            int warmup = steady.warmup(seconds.size());
            boolean settled = steady.settled(seconds.size());
            if (meshPlan != null) {
                return java.util.Optional.of(CostCheck.of(meshPlan.iterationTime(), seconds, warmup, settled, new double[0][], List.of()));
            }
            if (pipelinePlan == null) {
                return java.util.Optional.empty();
            }
            double[][] stages = new double[pipelinePlan.stages().size()][];
            for (var st : pipelinePlan.stages()) {
                stages[st.index()] = new double[] {st.cost().forwardSeconds(), st.cost().backwardSeconds()};
            }
            List<double[][]> measured = runner.runner() instanceof PipelineRuntime<?, ?> p ? p.stageSecondsPerStep() : List.of();
            return java.util.Optional.of(CostCheck.of(pipelinePlan.iterationSeconds(), seconds, warmup, settled, stages, measured));
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
        boolean cuda = c.cudaBackend();
        MatmulPrecision precision = matmulPrecision(c.model, cuda);
        if (c.devices != null && !cuda) {
            throw new UserInputException("--devices selects GPUs: it needs --backend cuda");
        }
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
        if (c.cpuThreads != null && (cuda || mesh.mesh != null || pipelinePlan || c.loadPlan != null)) {
            throw new UserInputException("--cpu-threads sets the threads of one CPU device; a simulated mesh or pipeline runs one"
                    + " thread per device, and --backend cuda none");
        }
        if (c.cpuThreads != null && c.cpuThreads < 1) {
            throw new UserInputException("--cpu-threads must be positive, got " + c.cpuThreads);
        }
        if (c.cpuThreads != null && c.cpuThreads > MAX_CPU_THREADS) {
            // each is a platform thread started before the first step: a typo must not exhaust the machine
            throw new UserInputException("--cpu-threads must be at most " + MAX_CPU_THREADS + ", got " + c.cpuThreads);
        }
        if (cuda) {
            Backends.requireGpu();
        }
        RunMode mode = pipelinePlan || autoStages ? new Pipeline(cuda, precision)
                : mesh.mesh != null || c.loadPlan != null ? new Mesh(cuda, precision) : new SingleDevice(cuda, precision);
        if (launch.isPresent() && launch.get().distributed()) {
            LaunchEnv env = launch.get();
            if (mode instanceof SingleDevice) {
                throw new UserInputException("one device needs one process, not " + env.worldSize() + ": under a launcher give --mesh ROWSxCOLS"
                        + " or a pipeline whose devices the ranks share (one rank per device, or an even share each)");
            }
            mode = new MultiProcess(env, mode);
        }
        InapplicableFlags.refuse(c, mode);
        return mode;
    }

    /**
     * How CUDA multiplies for the graph's precision: bf16 graphs on bf16 tensor cores (their operands hold bf16
     * values, so the cast is exact), tf32 on TF32 tensor cores, fp32 and fp16 graphs in f32 (a product of two
     * f16 values is exact in f32, so this is f16 arithmetic with f32 accumulation, without f16's tensor-core rate).
     */
    static MatmulPrecision matmulPrecision(ModelOptions model, boolean cuda) {
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
            if (cuda) {
                return new Prepared(Backends.singleCuda(step, precision, cmd.seed, Set.of("loss")), Map.of());
            }
            int threads = cmd.cpuThreads != null ? cmd.cpuThreads : Runtime.getRuntime().availableProcessors();
            return new Prepared(Backends.singleCpu(step, cmd.seed, Set.of("loss"), threads), Map.of("cpu_threads", threads));
        }
    }

    /** One intra-op plan (planned, or loaded from --load-plan) lowered over the devices of --mesh. */
    record Mesh(boolean cuda, MatmulPrecision precision) implements RunMode {
        @Override
        public Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out) {
            return prepare(cmd, training, opt, out, null);
        }

        /** With {@code links}, this process's share of the mesh; without, all of it. */
        Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out, Links links) {
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
            RankJoin.Joined joined = links == null ? null : links.connect(mesh.deviceCount(), "--mesh " + mesh, PlanJson.toJson(plan));
            TcpTransport tcp = joined == null ? null : joined.links();
            int[] gpus = joined == null ? cmd.gpuOrdinals(mesh.deviceCount()) : null;
            BackendRunner r = joined != null && joined.gpus() != null
                    ? NcclBackends.cudaMeshRanks(program, precision, cmd.seed, joined.gpus(), tcp, joined.ncclId())
                    : tcp != null ? Backends.cpuMesh(program, cmd.seed, tcp)
                    : gpus != null ? NcclBackends.cudaMeshGpus(program, precision, cmd.seed, gpus)
                    : cuda ? Backends.cudaMesh(program, precision, cmd.seed) : Backends.cpuMesh(program, cmd.seed);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("mesh", mesh.toString());
            config.put("plan", cmd.loadPlan != null ? "file:" + cmd.loadPlan : o.method);
            config.put("cluster", o.cluster);
            if (tcp != null) {
                config.put("ranks", tcp.size());
            }
            return new Prepared(r, config, plan, null, tcp);
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
            return prepare(cmd, training, opt, out, null);
        }

        /** With {@code links}, this process's share of the pipeline's devices; without, all of them. */
        Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out, Links links) {
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
            if (cmd.energyPlan.active() && links != null) {
                throw new UserInputException("--energy-plan drives the clocks of one process's pipeline; it does not apply to a job of several processes");
            }
            RankJoin.Joined joined = links == null ? null : links.connect(plan.deviceCount(), "the pipeline", PipelineJson.toJson(plan));
            TcpTransport tcp = joined == null ? null : joined.links();
            int[] gpus = joined == null ? cmd.gpuOrdinals(plan.deviceCount()) : null;
            BackendRunner r = joined != null && joined.gpus() != null
                    ? NcclBackends.cudaPipelineRanks(plan, precision, cmd.seed, joined.gpus(), tcp, joined.ncclId())
                    : tcp != null ? Backends.cpuPipeline(plan, cmd.seed, tcp)
                    : gpus != null ? NcclBackends.cudaPipelineGpus(plan, precision, cmd.seed, gpus)
                    : cuda ? Backends.cudaPipeline(plan, precision, cmd.seed) : Backends.cpuPipeline(plan, cmd.seed);
            if (tcp != null) {
                config.put("ranks", tcp.size());
            }
            if (cmd.energyPlan.active()) {
                try {
                    cmd.liveEnergyPlan = EnergyPlanSession.open(cmd.energyPlan, plan, (io.github.alpa4j.engine.runtime.PipelineRuntime<?, ?>) r.runner(),
                            c, cuda || gpus != null, gpus, out);
                } catch (RuntimeException e) {
                    r.close();
                    throw e;
                }
                config.put("energy_plan", cmd.energyPlan.plan);
            }
            return new Prepared(r, config, null, plan, tcp);
        }

        /** The training step of one microbatch of {@code batch} samples. */
        private static Graph microbatchGraph(TrainCommand cmd, Optimizer opt, int batch) {
            return DeadCodeElimination.apply(cmd.model.trainingStep(cmd.model.build(batch), opt)
                    .keepOutputs(List.of("loss")));
        }

    }

    /**
     * Connects this process to the other ranks of its job once the plan says how many devices they
     * share: refuses a split that is not even, meets the others at the rendezvous, links every two ranks,
     * and checks that every rank planned the same.
     */
    @FunctionalInterface
    interface Links {
        /**
         * @param devices  the plan's devices
         * @param what     the plan's devices in words, for refusals
         * @param planJson the plan as JSON, whose digest every rank must share
         */
        RankJoin.Joined connect(int devices, String what, String planJson);
    }

    /**
     * One rank of a job started by launch, srun or mpirun: plans as {@code inner} does (every rank the
     * same plan, checked), then drives its share of the plan's devices (rank r the r-th equal contiguous
     * block), with collectives and pipeline transfers among the ranks over TCP links made through the
     * rendezvous. Every rank computes the step's loss; rank 0 writes the metrics and the report, every
     * rank its devices' checkpoint shards.
     */
    record MultiProcess(LaunchEnv env, RunMode inner) implements RunMode {
        @Override
        public Prepared prepare(TrainCommand cmd, Graph training, Optimizer opt, PrintWriter out) {
            if (!(cmd.rendezvousTimeout > 0) || cmd.rendezvousTimeout > Rendezvous.MAX_TIMEOUT.toSeconds()) {
                throw new UserInputException("--rendezvous-timeout must be positive and at most " + Rendezvous.MAX_TIMEOUT.toSeconds()
                        + " s (a week), got " + cmd.rendezvousTimeout);
            }
            java.time.Duration timeout = java.time.Duration.ofMillis(Math.round(cmd.rendezvousTimeout * 1000));
            boolean cuda = switch (inner) {
                case Mesh m -> m.cuda();
                case Pipeline p -> p.cuda();
                default -> false;
            };
            RankJoin.Gpus gpus = cuda ? new RankJoin.Gpus() {
                @Override
                public NcclUniqueId makeId() {
                    try {
                        return NcclUniqueId.create();
                    } catch (CudaUnavailableException e) {
                        throw new UserInputException("--backend cuda under a launcher needs NCCL on rank 0: " + e.getMessage(), e);
                    }
                }

                @Override
                public int[] select(int per) {
                    return RankGpus.select(env, per, cmd.listedGpus(), CudaDevice.count(), System.getenv("CUDA_VISIBLE_DEVICES") != null);
                }
            } : null;
            Links links = (devices, what, planJson) -> connect(devices, what, planJson, timeout, gpus, out);
            return switch (inner) {
                case Mesh m -> m.prepare(cmd, training, opt, out, links);
                case Pipeline p -> p.prepare(cmd, training, opt, out, links);
                default -> throw new IllegalStateException("no multi-process form of " + inner);
            };
        }

        private RankJoin.Joined connect(int devices, String what, String planJson, java.time.Duration timeout, RankJoin.Gpus gpus,
                                        PrintWriter out) {
            RankJoin.Joined j = RankJoin.join(env, devices, what, planJson, timeout, gpus);
            TcpTransport tcp = j.links();
            int per = devices / env.worldSize();
            int first = tcp.firstDevice(env.rank());
            out.printf("rank %d of %d: rendezvous at %s:%d done; driving device%s %s of %d, %s%n", env.rank(),
                    env.worldSize(), env.masterAddr(), env.masterPort(), per == 1 ? "" : "s",
                    per == 1 ? String.valueOf(first) : first + "-" + (first + per - 1), devices,
                    j.gpus() == null ? "collectives over TCP links"
                            : "on GPU" + (per == 1 ? " " + j.gpus()[0] : "s " + java.util.Arrays.toString(j.gpus())) + ", collectives over NCCL");
            out.flush();
            return j;
        }
    }
}
