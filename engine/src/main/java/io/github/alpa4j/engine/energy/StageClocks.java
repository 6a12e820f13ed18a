package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.control.FrequencyController;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A pipeline's frequency plan applied stage by stage as it trains: one {@link FrequencyController} per
 * device, told of each forward {@code F(s,m)} and backward {@code B(s,m)} as its device starts computing
 * it. Dry run by default (the controller reports each change and sets nothing).
 */
public final class StageClocks implements PipelineRuntime.TaskListener, AutoCloseable {
    private final List<List<FrequencyController>> controllers = new ArrayList<>();
    private final AtomicLong instructions = new AtomicLong();
    private final List<AutoCloseable> resources = new ArrayList<>();

    private StageClocks() {
    }

    /**
     * Controllers for every device of {@code plan}'s stages, after checking that {@code frequencies} is a plan
     * of this pipeline: as many stages, each with exactly its forwards and backwards.
     *
     * @param clocks the clocks of each device, numbered across stages in stage order
     */
    public static StageClocks open(PipelinePlan plan, PlanFrequencies frequencies, IntFunction<GpuClocks> clocks, boolean applyClocks,
                                   Consumer<String> log) {
        int stages = plan.stages().size();
        if (frequencies.stages().size() != stages || frequencies.microbatches() != plan.microbatches()) {
            throw new UserInputException(String.format("the frequency plan is for %d stages x %d microbatches, this pipeline has %d x %d:"
                    + " plan it with the same model, cluster and pipeline flags", frequencies.stages().size(), frequencies.microbatches(),
                    stages, plan.microbatches()));
        }
        StageClocks out = new StageClocks();
        int device = 0;
        try {
            for (int s = 0; s < stages; s++) {
                FrequencyPlan p = frequencies.stages().get(s);
                Set<String> expected = new HashSet<>();
                for (int m = 0; m < plan.microbatches(); m++) {
                    expected.add(id(s, m, PipelineSchedule.Pass.FORWARD));
                    expected.add(id(s, m, PipelineSchedule.Pass.BACKWARD));
                }
                Set<String> given = new HashSet<>();
                p.steps().forEach(x -> given.add(x.instruction()));
                if (!given.equals(expected)) {
                    throw new UserInputException("the frequency plan of stage " + s + " does not list exactly its " + expected.size()
                            + " forwards and backwards F(" + s + ",m), B(" + s + ",m)");
                }
                List<FrequencyController> mine = new ArrayList<>();
                for (int d = 0; d < plan.stages().get(s).mesh().deviceCount(); d++) {
                    mine.add(FrequencyController.open(clocks.apply(device++), p, applyClocks, log));
                }
                out.controllers.add(mine);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** {@code F(s,m)} or {@code B(s,m)}, as the Perseus DAG and the frequency plan name them. */
    static String id(int stage, int microbatch, PipelineSchedule.Pass pass) {
        return (pass == PipelineSchedule.Pass.FORWARD ? "F(" : "B(") + stage + "," + microbatch + ")";
    }

    @Override
    public void computing(int stage, int device, int microbatch, PipelineSchedule.Pass pass) {
        controllers.get(stage).get(device).onInstruction(id(stage, microbatch, pass));
        instructions.incrementAndGet();
    }

    /** Instructions handed to the controllers so far. */
    public long instructions() {
        return instructions.get();
    }

    /** Waits until every controller has applied what it was handed. */
    public void awaitApplied() {
        controllers.forEach(l -> l.forEach(FrequencyController::awaitApplied));
    }

    /** Closes {@code r} (the NVML handle the clocks read) after the controllers. */
    public StageClocks closing(AutoCloseable r) {
        resources.add(r);
        return this;
    }

    @Override
    public void close() {
        for (List<FrequencyController> l : controllers) {
            for (FrequencyController c : l) {
                c.close();
            }
        }
        controllers.clear();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + r + " failed", e);
            }
        }
        resources.clear();
    }
}
