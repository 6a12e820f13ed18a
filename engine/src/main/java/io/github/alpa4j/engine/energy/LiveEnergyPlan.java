package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Perseus's workflow inside a training run ({@code train --pipeline --energy-plan}): profile each stage's forward and
 * backward during the first iterations, solve the frontier once, hand each stage's controller its clock per instruction as
 * the schedule runs, and move to another frontier point when a straggler notice arrives, at the next iteration boundary.
 * Every boundary is {@link #afterStep}; {@link #close()} resets the clocks (the controllers also reset them at JVM exit).
 */
public final class LiveEnergyPlan implements AutoCloseable {
    /**
     * What the plan acts on.
     *
     * @param spec        the GPU the energy model describes (its P_block prices idle time; auto's other clocks come from it)
     * @param clocks      each device's clocks, numbered across stages in stage order
     * @param applyClocks set them (privileged); false: the controllers' dry run, which reports and sets nothing
     * @param toMonitor   a moment on {@link System#nanoTime()} on the monitor's clock
     * @param gpuOfDevice the monitor's counter of each device
     * @param simulated   the energy counters are a simulation (CPU devices), not a measurement
     * @param notices     the job's straggler notices, or null
     * @param clockLog    the controllers' lines ("would set GPU 0 to 1410 MHz")
     */
    public record Setup(PipelinePlan plan, PipelineRuntime<?, ?> runtime, GpuSpec spec, IntFunction<GpuClocks> clocks, boolean applyClocks,
                        EnergyMonitor monitor, LongUnaryOperator toMonitor, IntUnaryOperator gpuOfDevice, boolean simulated,
                        StragglerNotices notices, Consumer<String> log, Consumer<String> clockLog) {
    }

    /** A move to another frontier point. */
    public record Switch(long afterStep, double stragglerSeconds, double pointSeconds, double joules, double savingPercent,
                         double lessThanBeforeJoules) {
    }

    /** Where clocks are set and the plan is a file: pairs of iterations (plan, highest clock) that measure the saving. */
    static final int DEFAULT_ALTERNATIONS = 2;

    private final Setup setup;
    private final EnergyPlanSource source;
    private final StageEnergyLedger ledger;
    private final PipelineDag dag;
    private final List<Switch> switches = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private StageClocks stageClocks;
    private LiveFrontier frontier;
    private LiveFrontier.Point point;
    private PlanFrequencies inForce;
    private Profile predictions;
    private String basis;
    private long deployedAfterStep = -1;
    private long steps;
    /** Where clocks are set: iterations left that alternate between the plan and the highest clock, and what the last one ran. */
    private int alternationsLeft;
    private boolean ranMax;
    private final StageEnergyLedger maxLedger;
    /** Auto with clocks set: the clocks profiled, highest first, and the rows measured so far. */
    private List<Integer> sweep = List.of();
    private final List<Measurement> swept = new ArrayList<>();
    private double plannedSeconds = Double.NaN;
    private double replayedSeconds = Double.NaN;
    private double[] predicted;
    private double[] predictedAtMax;
    private List<Measurement> profiled = List.of();
    private List<List<List<StageClocks.Handed>>> lastHanded;

    private LiveEnergyPlan(Setup setup, EnergyPlanSource source) {
        this.setup = setup;
        this.source = source;
        this.ledger = new StageEnergyLedger(setup.plan(), setup.runtime(), setup.monitor(), setup.toMonitor(), setup.gpuOfDevice());
        this.maxLedger = new StageEnergyLedger(setup.plan(), setup.runtime(), setup.monitor(), setup.toMonitor(), setup.gpuOfDevice());
        this.dag = PipelineDag.build(setup.plan().stages().size(), setup.plan().microbatches(),
                PipelineSchedule.fromCliName(setup.plan().schedule().cliName()));
    }

    /** Starts the plan: a file's clocks or a profile's frontier are deployed now; {@link Auto} profiles first. */
    public static LiveEnergyPlan start(Setup setup, EnergyPlanSource source) {
        LiveEnergyPlan p = new LiveEnergyPlan(setup, source);
        // a pass's interval ends when its kernels do, not when they are queued: the energy attributed to it needs that
        setup.runtime().synchronizePasses(true);
        try {
            switch (source) {
                case EnergyPlanSource.Fixed f -> {
                    StageClocks.check(setup.plan(), f.frequencies());
                    p.predictions = PipelineEnergyModel.candidate(setup.plan(), setup.spec(), 0).profile();
                    p.basis = "the clocks of " + f.file() + "; predictions from the " + setup.spec().name() + " DVFS model of this pipeline";
                    p.deploy(f.frequencies(), 0);
                }
                case EnergyPlanSource.Measured m -> {
                    p.basis = "the measured profile " + m.file();
                    p.solve(m.profile(), 0);
                }
                case EnergyPlanSource.Auto a when setup.applyClocks() && !a.clocks().isEmpty() -> p.startSweep(a);
                case EnergyPlanSource.Auto a -> {
                    if (!a.clocks().isEmpty()) {
                        throw new io.github.alpa4j.engine.UserInputException("--energy-clocks steps the clocks while profiling: it needs"
                                + " --apply-clocks (without it the stages are profiled at the current clock only)");
                    }
                    setup.log().accept(String.format(Locale.ROOT, "profiling each stage's forward and backward over steps %d-%d at"
                            + " the current clock, %d MHz%s", a.warmup() + 1, a.warmup() + a.iterations(),
                            setup.clocks().apply(0).currentGraphicsClockMhz(),
                            setup.simulated() ? " (simulated " + setup.spec().name() + " counters on this machine's pass times)" : ""));
                }
            }
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        setup.monitor().mark();
        return p;
    }

    /** Closes {@code r} (the energy source, NVML) after the controllers. */
    public LiveEnergyPlan closing(AutoCloseable r) {
        resources.add(r);
        return this;
    }

    /** A step of this run has ended: record it, finish profiling, act on a straggler notice. */
    public void afterStep() {
        long step = ++steps;
        setup.monitor().mark();
        (ranMax ? maxLedger : ledger).record();
        if (deployedAfterStep < 0) {
            EnergyPlanSource.Auto a = (EnergyPlanSource.Auto) source;
            if (!sweep.isEmpty()) {
                sweepStep(a, step);
            } else if (step == a.warmup()) {
                ledger.clear();
            } else if (step == a.warmup() + a.iterations()) {
                profileAndSolve(step);
            }
            return;
        }
        stageClocks.awaitApplied();
        lastHanded = stageClocks.takeHanded();
        if (!ranMax && step > deployedAfterStep && lastHanded.get(0).get(0).size() == 2 * dag.microbatches()) {
            replayedSeconds = ScheduleReplay.seconds(lastHanded, predictions);
        }
        if (alternationsLeft > 0) {
            // the saving measured in this run: iterations at the plan's clocks and at the highest clock, in turn
            alternationsLeft--;
            ranMax = !ranMax;
            stageClocks.switchTo(ranMax ? StageClocks.uniform(setup.plan(), highestClock()) : inForce);
        }
        if (setup.notices() != null) {
            OptionalDouble notice = setup.notices().poll();
            if (notice.isPresent()) {
                straggler(notice.getAsDouble(), step);
            }
        }
    }

    /** Auto with clocks to set: every device locked to the first clock of the sweep (highest first). */
    private void startSweep(EnergyPlanSource.Auto a) {
        List<Integer> clocks = new ArrayList<>(a.clocks());
        clocks.sort(java.util.Comparator.reverseOrder());
        sweep = List.copyOf(new java.util.LinkedHashSet<>(clocks));
        stageClocks = StageClocks.open(setup.plan(), StageClocks.uniform(setup.plan(), sweep.get(0)), setup.clocks(), true, setup.clockLog());
        setup.runtime().listen(stageClocks);
        setup.log().accept(String.format(Locale.ROOT, "profiling each stage's forward and backward at %d clocks (%s MHz), %d warm-up and %d"
                        + " measured steps each: steps 1-%d", sweep.size(), sweep.size() <= 6 ? sweep.toString().replaceAll("[\\[\\]]", "")
                        : sweep.getFirst() + " .. " + sweep.getLast(), a.warmup(), a.iterations(), sweep.size() * (a.warmup() + a.iterations())));
    }

    /** One step of the sweep: the clock's warm-up ends, or its measured steps do (then the next clock, or the frontier). */
    private void sweepStep(EnergyPlanSource.Auto a, long step) {
        int per = a.warmup() + a.iterations();
        int clock = (int) ((step - 1) / per);
        long local = (step - 1) % per + 1;
        if (local == a.warmup()) {
            ledger.clear();
        }
        if (local != per) {
            return;
        }
        swept.addAll(ledger.rows(sweep.get(clock)));
        if (clock + 1 < sweep.size()) {
            stageClocks.awaitApplied();
            stageClocks.switchTo(StageClocks.uniform(setup.plan(), sweep.get(clock + 1)));
            stageClocks.takeHanded();
            ledger.clear();
            return;
        }
        profiled = List.copyOf(swept);
        basis = String.format(Locale.ROOT, "the stages' %s times and energies at %d clocks, profiled in this run with the clocks set",
                setup.simulated() ? "simulated" : "measured", sweep.size());
        solve(new Profile(swept), step);
    }

    /** Auto: the profile measured at the current clock, the other clocks from the DVFS model anchored on it; then the frontier. */
    private void profileAndSolve(long step) {
        GpuSpec spec = setup.spec();
        int f0 = Math.min(spec.maxClockMhz(), Math.max(spec.minClockMhz(), setup.clocks().apply(0).currentGraphicsClockMhz()));
        profiled = ledger.rows(f0);
        List<InstructionTime> forward = anchored(PipelineEnergyModel.times(setup.plan(), Phase.FORWARD), Instruction.FORWARD, f0);
        List<InstructionTime> backward = anchored(PipelineEnergyModel.times(setup.plan(), Phase.BACKWARD), Instruction.BACKWARD, f0);
        basis = String.format(Locale.ROOT, "the %s DVFS model anchored on each pass's %s time at %d MHz, the one clock profiled%s",
                spec.name(), setup.simulated() ? "simulated" : "measured", f0,
                setup.applyClocks() ? "" : " (dry run: the other clocks are the model's, not measured)");
        solve(DvfsEnergyModel.profileOfTimes(spec, forward, backward), step);
    }

    /** The cost model's split of each pass, scaled so that its time at {@code mhz} is the profiled one. */
    private List<InstructionTime> anchored(List<InstructionTime> model, Instruction instruction, int mhz) {
        List<InstructionTime> out = new ArrayList<>();
        for (int s = 0; s < model.size(); s++) {
            InstructionTime it = model.get(s);
            double measured = profiled.get(2 * s + instruction.ordinal()).timeSeconds();
            double k = measured / DvfsEnergyModel.estimate(setup.spec(), it, mhz).timeSeconds();
            out.add(new InstructionTime(it.computeSeconds() * k, it.memorySeconds() * k));
        }
        return out;
    }

    private void solve(Profile profile, long step) {
        predictions = profile;
        frontier = LiveFrontier.solve(profile, setup.plan().microbatches(), dag.schedule(), setup.spec().staticWatts(), setup.spec().name());
        point = frontier.choose(new Deadline.NoStraggler());
        setup.log().accept(String.format(Locale.ROOT, "frontier of %d points, %.4g s to %.4g s per iteration, from %s",
                frontier.frontier().points().size(), frontier.fastestSeconds(), frontier.frontier().slowest().timeSeconds(), basis));
        deploy(point.frequencies(), step);
    }

    private void deploy(PlanFrequencies frequencies, long step) {
        if (stageClocks == null) {
            stageClocks = StageClocks.open(setup.plan(), frequencies, setup.clocks(), setup.applyClocks(), setup.clockLog());
            setup.runtime().listen(stageClocks);
        } else {
            stageClocks.awaitApplied();
            stageClocks.switchTo(frequencies);
            stageClocks.takeHanded();
        }
        priced(frequencies, point == null ? Double.NaN : point.chosen().deadlineSeconds());
        deployedAfterStep = step;
        if (setup.applyClocks()) {
            alternationsLeft = 2 * (source instanceof EnergyPlanSource.Auto a ? a.iterations() : DEFAULT_ALTERNATIONS);
        }
        ledger.clear();
        setup.log().accept(String.format(Locale.ROOT, "%s from step %d: %.4g s and %.4g J per iteration predicted, %.2f %% less than every"
                + " stage at its highest clock (%.4g J, the model's)%s", step == 0 ? "clocks" : "clocks deployed", step + 1, plannedSeconds,
                sum(predicted), saving(), sum(predictedAtMax), setup.applyClocks() ? "" : "; dry run: each change is reported, none set"));
        for (int s = 0; s < frequencies.stages().size(); s++) {
            setup.log().accept(String.format(Locale.ROOT, "  stage %d: forward %s MHz, backward %s MHz", s,
                    range(frequencies.stages().get(s), "F"), range(frequencies.stages().get(s), "B")));
        }
    }

    /** Predictions of {@code frequencies}: each stage's joules per iteration, and the iteration time ({@code deadline}, or replayed). */
    private void priced(PlanFrequencies frequencies, double deadline) {
        inForce = frequencies;
        int[] mhz = new int[dag.size()];
        int[] max = new int[dag.size()];
        for (int i = 0; i < dag.size(); i++) {
            Computation c = dag.computation(i);
            mhz[i] = frequencies.stages().get(c.stage()).mhz(StageClocks.id(c.stage(), c.microbatch(), LiveFrontier.pass(c.instruction()))).orElseThrow();
            max[i] = predictions.atMaximumFrequency(c.stage(), c.instruction()).frequencyMhz();
        }
        plannedSeconds = Double.isNaN(deadline) ? ScheduleReplay.seconds(inScheduleOrder(mhz), predictions) : deadline;
        predicted = LiveFrontier.stageJoules(dag, predictions, mhz, setup.spec().staticWatts(), plannedSeconds);
        predictedAtMax = LiveFrontier.stageJoules(dag, predictions, max, setup.spec().staticWatts(), plannedSeconds);
    }

    private List<List<List<StageClocks.Handed>>> inScheduleOrder(int[] mhz) {
        List<List<List<StageClocks.Handed>>> out = new ArrayList<>();
        for (int s = 0; s < dag.stages(); s++) {
            List<StageClocks.Handed> order = new ArrayList<>();
            for (Computation c : dag.schedule().stageOrder(dag.stages(), dag.microbatches(), s)) {
                order.add(new StageClocks.Handed(s, c.microbatch(), LiveFrontier.pass(c.instruction()), mhz[dag.indexOf(c)]));
            }
            out.add(List.of(order));
        }
        return out;
    }

    /** A straggler's notice ({@code seconds}, 0 for none): the least-energy point within its time, from the next step. */
    private void straggler(double seconds, long step) {
        if (frontier == null) {
            setup.log().accept(String.format(Locale.ROOT, "straggler notice of %.4g s ignored: a plan file has one point, no frontier"
                    + " (give --energy-plan auto or a profile CSV to follow stragglers)", seconds));
            return;
        }
        double before = sum(predicted);
        LiveFrontier.Point next = frontier.choose(seconds > 0 ? new Deadline.Straggler(seconds) : new Deadline.NoStraggler());
        stageClocks.switchTo(next.frequencies());
        alternationsLeft = 0; // the plan changed: the comparison with the highest clock stops
        ranMax = false;
        point = next;
        priced(next.frequencies(), next.chosen().deadlineSeconds());
        ledger.clear();
        Switch sw = new Switch(step, seconds, next.chosen().point().timeSeconds(), sum(predicted), saving(), before - sum(predicted));
        switches.add(sw);
        setup.log().accept(String.format(Locale.ROOT, "%s: from step %d the frontier point of %.4g s, %.4g J per iteration over %.4g s, %.2f %% less"
                        + " than every stage at its highest clock (expected saving %.4g J per iteration against the point before, which is priced"
                        + " over its own time)", seconds <= 0 ? "straggler gone" : seconds < frontier.fastestSeconds()
                        ? String.format(Locale.ROOT, "straggler at %.4g s, faster than this pipeline's fastest point (so no straggler)", seconds)
                        : String.format(Locale.ROOT, "straggler at %.4g s", seconds),
                step + 1, sw.pointSeconds(), sw.joules(), plannedSeconds, sw.savingPercent(), sw.lessThanBeforeJoules()));
    }

    /** What the run's metrics and report show. */
    public LiveEnergyReport.Summary summary() {
        return new LiveEnergyReport.Summary(source, basis, setup.applyClocks(), setup.simulated(), setup.spec().name(), deployedAfterStep,
                frontier == null ? 0 : frontier.frontier().points().size(), frontier == null ? Double.NaN : frontier.fastestSeconds(),
                plannedSeconds, replayedSeconds, predicted, predictedAtMax, saving(), ledger.means(), profiled,
                lastHanded, inForce, List.copyOf(switches), maxLedger.means());
    }

    /** The highest clock every device supports. */
    private int highestClock() {
        int highest = Integer.MAX_VALUE;
        for (int d = 0; d < setup.plan().deviceCount(); d++) {
            highest = Math.min(highest, java.util.Arrays.stream(setup.clocks().apply(d).supportedGraphicsClocksMhz()).max().orElseThrow());
        }
        return highest;
    }

    private double saving() {
        return predicted == null ? Double.NaN : 100 * (sum(predictedAtMax) - sum(predicted)) / sum(predictedAtMax);
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v == null ? new double[0] : v) {
            s += x;
        }
        return s;
    }

    private static String range(FrequencyPlan p, String prefix) {
        var st = p.steps().stream().filter(s -> s.instruction().startsWith(prefix)).mapToInt(FrequencyPlan.Step::mhz).summaryStatistics();
        return st.getMin() == st.getMax() ? Integer.toString(st.getMin()) : st.getMin() + "-" + st.getMax();
    }

    /** Resets the clocks (the controllers', once), stops listening, then closes what {@link #closing} was given. */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            setup.runtime().listen(PipelineRuntime.TaskListener.NONE);
            setup.runtime().synchronizePasses(false);
            if (stageClocks != null) {
                stageClocks.close();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + r + " failed", e);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
