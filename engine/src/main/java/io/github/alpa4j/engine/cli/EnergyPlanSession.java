package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Nvml;
import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.control.NvmlClocks;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.GpuSpecJson;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.monitor.NvmlEnergySource;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.ProfileCsv;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.energy.EnergyPlanSource;
import io.github.alpa4j.engine.energy.LiveEnergyPlan;
import io.github.alpa4j.engine.energy.ModelledClocks;
import io.github.alpa4j.engine.energy.PlanFrequencies;
import io.github.alpa4j.engine.energy.SimulatedGpus;
import io.github.alpa4j.engine.energy.StragglerNotices;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code train --pipeline --energy-plan}: the clocks, energy counters and plan source of a {@link LiveEnergyPlan}. On
 * simulated CPU devices the clocks are the GPU preset's, reported only, and the counters are simulated from its model
 * ({@link SimulatedGpus}); on the CUDA backend each device's GPU clocks through NVML and GPU 0's energy counter.
 */
final class EnergyPlanSession {
    /** Controller lines printed as they come; the rest are counted. */
    static final int LINES_SHOWN = 6;
    private static final int SAMPLE_MS = 20;

    private EnergyPlanSession() {
    }

    /** {@code gpus}: the GPU of each device (one GPU per device), or null when the devices share GPU 0. */
    static LiveEnergyPlan open(EnergyPlanOptions o, PipelinePlan plan, PipelineRuntime<?, ?> runtime, Cluster cluster, boolean cuda, int[] gpus,
                               PrintWriter out) {
        Consumer<String> log = line -> print(out, "energy plan: " + line);
        AtomicInteger lines = new AtomicInteger();
        String prefix = o.applyClocks ? "clocks: " : "frequency plan (dry run): ";
        Consumer<String> clockLog = line -> {
            if (lines.incrementAndGet() <= LINES_SHOWN) {
                print(out, prefix + line);
            }
        };
        EnergyPlanSource source = source(o, plan);
        GpuSpec spec = spec(o, source, cluster);
        if (source instanceof EnergyPlanSource.Fixed f) {
            print(out, String.format(Locale.ROOT, "frequency plan: %d stages x %d microbatches planned for %s; %s",
                    f.frequencies().stages().size(), f.frequencies().microbatches(), f.frequencies().gpu().isEmpty() ? "an unnamed GPU"
                            : f.frequencies().gpu(), o.applyClocks ? "setting the clocks" : "dry run: each change is reported (the first "
                            + LINES_SHOWN + " shown), none set"));
        }
        StragglerNotices notices = o.jobDir == null ? null : notices(o.jobDir, log);
        if (!cuda) {
            if (o.applyClocks) {
                throw new UserInputException("--apply-clocks sets GPU clocks: the CPU backend's devices are simulated; run without it (a dry run)");
            }
            SimulatedGpus sim = new SimulatedGpus(spec, plan.deviceCount(), System::nanoTime);
            EnergyMonitor monitor = EnergyMonitor.manual(sim, sim::nanos);
            var setup = new LiveEnergyPlan.Setup(plan, runtime, spec, d -> new ModelledClocks(d, spec), false, monitor, sim::fake, d -> d,
                    true, notices, log, clockLog);
            return LiveEnergyPlan.start(setup, source).closing(monitor);
        }
        Nvml nvml;
        try {
            nvml = Nvml.open();
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--energy-plan on --backend cuda reads the GPUs' clocks and energy through NVML: " + e.getMessage(), e);
        }
        NvmlEnergySource source0 = null;
        EnergyMonitor monitor = null;
        try {
            Map<Integer, GpuClocks> byGpu = new HashMap<>();
            for (int d = 0; d < plan.deviceCount(); d++) {
                byGpu.computeIfAbsent(gpus == null ? 0 : gpus[d], g -> new NvmlClocks(nvml.device(g)));
            }
            source0 = NvmlEnergySource.open(0);
            monitor = EnergyMonitor.start(source0, java.time.Duration.ofMillis(SAMPLE_MS));
            var setup = new LiveEnergyPlan.Setup(plan, runtime, spec, d -> byGpu.get(gpus == null ? 0 : gpus[d]), o.applyClocks, monitor,
                    t -> t, d -> 0, false, notices, log, clockLog);
            return LiveEnergyPlan.start(setup, source).closing(monitor).closing(source0).closing(nvml);
        } catch (CudaException e) {
            closeAll(monitor, source0, nvml);
            throw new UserInputException("--energy-plan: NVML cannot read GPU 0: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(monitor, source0, nvml);
            throw e;
        }
    }

    private static EnergyPlanSource source(EnergyPlanOptions o, PipelinePlan plan) {
        if (o.auto()) {
            return new EnergyPlanSource.Auto(o.warmup, o.profileSteps, o.clocks);
        }
        Path file = o.file();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            Profile p = ProfileCsv.read(file);
            if (p.stageCount() != plan.stages().size()) {
                throw new EnergyInputException("--energy-plan " + file + ": the profile covers " + p.stageCount() + " stages, this pipeline has "
                        + plan.stages().size());
            }
            return new EnergyPlanSource.Measured(p, file.toString());
        }
        return new EnergyPlanSource.Fixed(PlanFrequencies.read(file), file.toString());
    }

    /** --gpu; else the plan file's GPU; else the cluster's if the energy model knows it; else the A100. */
    private static GpuSpec spec(EnergyPlanOptions o, EnergyPlanSource source, Cluster cluster) {
        if (o.gpu != null) {
            return GpuSpecJson.resolve(o.gpu);
        }
        if (source instanceof EnergyPlanSource.Fixed f && !f.frequencies().gpu().isEmpty()) {
            return GpuSpec.PRESETS.stream().map(p -> GpuSpec.preset(p).orElseThrow()).filter(g -> g.name().equals(f.frequencies().gpu()))
                    .findFirst().orElseThrow(() -> new UserInputException("--energy-plan: the plan names the GPU '" + f.frequencies().gpu()
                            + "', which is no preset (" + String.join(", ", GpuSpec.PRESETS) + "); give --gpu"));
        }
        try {
            return ModelProfile.energySpec(cluster);
        } catch (EnergyInputException e) {
            return GpuSpec.a100Sxm();
        }
    }

    private static StragglerNotices notices(Path dir, Consumer<String> log) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserInputException("--job-dir " + dir + ": cannot create it (" + e.getMessage() + ")", e);
        }
        StragglerNotices n = new StragglerNotices(dir);
        log.accept("following straggler notices in " + n.file() + " ('alpa4j energy straggler --job " + dir + " --time SECONDS')");
        return n;
    }

    private static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static void closeAll(AutoCloseable... rs) {
        for (AutoCloseable r : rs) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception e) {
                    throw new UncheckedIOException(new IOException("closing " + r + " failed", e));
                }
            }
        }
    }
}
