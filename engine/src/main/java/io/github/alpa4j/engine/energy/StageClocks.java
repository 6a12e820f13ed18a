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
    private final PipelinePlan plan;
    /** What each device was handed since {@link #takeHanded()}, in the order its schedule ran them; by stage, then device. */
    private final List<List<List<Handed>>> handed = new ArrayList<>();

    /** One instruction handed to a device's controller, and the clock its plan gave it. */
    public record Handed(int stage, int microbatch, PipelineSchedule.Pass pass, int mhz) {
        @Override
        public String toString() {
            return id(stage, microbatch, pass) + "=" + mhz;
        }
    }

    private StageClocks(PipelinePlan plan) {
        this.plan = plan;
    }

    /**
     * Controllers for every device of {@code plan}'s stages, after checking that {@code frequencies} is a plan
     * of this pipeline: as many stages, each with exactly its forwards and backwards.
     *
     * @param clocks the clocks of each device, numbered across stages in stage order
     */
    public static StageClocks open(PipelinePlan plan, PlanFrequencies frequencies, IntFunction<GpuClocks> clocks, boolean applyClocks,
                                   Consumer<String> log) {
        check(plan, frequencies);
        StageClocks out = new StageClocks(plan);
        int device = 0;
        try {
            for (int s = 0; s < plan.stages().size(); s++) {
                FrequencyPlan p = frequencies.stages().get(s);
                List<FrequencyController> mine = new ArrayList<>();
                List<List<Handed>> record = new ArrayList<>();
                for (int d = 0; d < plan.stages().get(s).mesh().deviceCount(); d++) {
                    mine.add(FrequencyController.open(clocks.apply(device++), p, applyClocks, log));
                    record.add(java.util.Collections.synchronizedList(new ArrayList<>()));
                }
                out.controllers.add(mine);
                out.handed.add(record);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** Refuses, in one line, a frequency plan that is not one of {@code plan}'s: as many stages, each with exactly its forwards and backwards. */
    static void check(PipelinePlan plan, PlanFrequencies frequencies) {
        int stages = plan.stages().size();
        if (frequencies.stages().size() != stages || frequencies.microbatches() != plan.microbatches()) {
            throw new UserInputException(String.format("the frequency plan is for %d stages x %d microbatches, this pipeline has %d x %d:"
                    + " plan it with the same model, cluster and pipeline flags", frequencies.stages().size(), frequencies.microbatches(),
                    stages, plan.microbatches()));
        }
        for (int s = 0; s < stages; s++) {
            Set<String> expected = new HashSet<>();
            for (int m = 0; m < plan.microbatches(); m++) {
                expected.add(id(s, m, PipelineSchedule.Pass.FORWARD));
                expected.add(id(s, m, PipelineSchedule.Pass.BACKWARD));
            }
            Set<String> given = new HashSet<>();
            frequencies.stages().get(s).steps().forEach(x -> given.add(x.instruction()));
            if (!given.equals(expected)) {
                throw new UserInputException("the frequency plan of stage " + s + " does not list exactly its " + expected.size()
                        + " forwards and backwards F(" + s + ",m), B(" + s + ",m)");
            }
        }
    }

    /**
     * Every controller follows {@code next} from its next instruction: call it between iterations (a straggler moved the
     * pipeline to another frontier point). A plan of another pipeline, or with a clock a GPU lacks, is refused and the old
     * plan stays in force.
     */
    public void switchTo(PlanFrequencies next) {
        check(plan, next);
        for (int s = 0; s < controllers.size(); s++) {
            for (FrequencyController c : controllers.get(s)) {
                c.replan(next.stages().get(s));
            }
        }
    }

    /**
     * The instructions each device was handed since the last call, with their planned clocks, in the order its schedule ran
     * them, by stage then device; clears the record (call it at an iteration boundary).
     */
    public List<List<List<Handed>>> takeHanded() {
        List<List<List<Handed>>> out = new ArrayList<>();
        for (List<List<Handed>> stage : handed) {
            List<List<Handed>> copy = new ArrayList<>();
            for (List<Handed> device : stage) {
                synchronized (device) {
                    copy.add(List.copyOf(device));
                    device.clear();
                }
            }
            out.add(copy);
        }
        return out;
    }

    /** Every forward and backward of every stage at {@code mhz}: the frequency plan that locks the pipeline to one clock. */
    public static PlanFrequencies uniform(PipelinePlan plan, int mhz) {
        List<FrequencyPlan> stages = new ArrayList<>();
        for (int s = 0; s < plan.stages().size(); s++) {
            List<FrequencyPlan.Step> steps = new ArrayList<>();
            for (int mb = 0; mb < plan.microbatches(); mb++) {
                steps.add(new FrequencyPlan.Step(id(s, mb, PipelineSchedule.Pass.FORWARD), mhz));
                steps.add(new FrequencyPlan.Step(id(s, mb, PipelineSchedule.Pass.BACKWARD), mhz));
            }
            stages.add(new FrequencyPlan(steps));
        }
        return new PlanFrequencies("", plan.microbatches(), stages);
    }

    /** {@code F(s,m)} or {@code B(s,m)}, as the Perseus DAG and the frequency plan name them. */
    static String id(int stage, int microbatch, PipelineSchedule.Pass pass) {
        return (pass == PipelineSchedule.Pass.FORWARD ? "F(" : "B(") + stage + "," + microbatch + ")";
    }

    @Override
    public void computing(int stage, int device, int microbatch, PipelineSchedule.Pass pass) {
        FrequencyController c = controllers.get(stage).get(device);
        String id = id(stage, microbatch, pass);
        c.onInstruction(id);
        handed.get(stage).get(device).add(new Handed(stage, microbatch, pass, c.plan().mhz(id).orElseThrow()));
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
