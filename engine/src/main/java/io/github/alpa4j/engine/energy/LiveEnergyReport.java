package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.engine.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A live energy plan's numbers, for the metrics JSON ({@code energy_plan}) and the training report: each stage's joules
 * per iteration measured (over the whole iteration, and attributed to its forward and backward instructions) against
 * predicted, the clock plan in force and the saving against every stage at its highest clock, which is the model's where
 * clocks are not set (a dry run) and labelled so.
 */
public final class LiveEnergyReport {
    /**
     * @param deployedAfterStep the step after which the clocks were deployed (0: from the start), -1 if never
     * @param measured          means over the steps since the plan in force was deployed
     * @param profiled          auto: the rows measured at the profiled clock
     * @param lastHanded        the last iteration's instructions and clocks, by stage and device, or null
     * @param measuredAtMaxClock where clocks are set: the iterations run at the highest clock, alternating with the plan's
     */
    public record Summary(EnergyPlanSource source, String basis, boolean applied, boolean simulated, String gpu, long deployedAfterStep,
                          int frontierPoints, double fastestSeconds, double plannedSeconds, double replayedSeconds, double[] predicted,
                          double[] predictedAtMaxClock, double savingPercent, StageEnergyLedger.Means measured, List<Measurement> profiled,
                          List<List<List<StageClocks.Handed>>> lastHanded, PlanFrequencies inForce, List<LiveEnergyPlan.Switch> switches,
                          StageEnergyLedger.Means measuredAtMaxClock) {
        /** The saving measured in this run (plan iterations against highest-clock ones, alternating), or NaN where none ran. */
        public double measuredSavingPercent() {
            if (measured.iterations() == 0 || measuredAtMaxClock.iterations() == 0) {
                return Double.NaN;
            }
            double plan = LiveEnergyPlan.sum(measured.windowJoules());
            double max = LiveEnergyPlan.sum(measuredAtMaxClock.windowJoules());
            return 100 * (max - plan) / max;
        }
    }

    private LiveEnergyReport() {
    }

    static String sourceName(EnergyPlanSource s) {
        return switch (s) {
            case EnergyPlanSource.Auto a -> "auto";
            case EnergyPlanSource.Fixed f -> f.file();
            case EnergyPlanSource.Measured m -> m.file();
        };
    }

    /** The {@code energy_plan} object of the metrics JSON (docs/energy-live.md). */
    public static Map<String, Object> json(Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", sourceName(s.source()));
        m.put("basis", s.basis());
        m.put("clocks", s.applied() ? "set" : "dry run (reported, not set)");
        m.put("energy_counters", s.simulated() ? "simulated (" + s.gpu() + " model on this machine's pass times)" : "measured (NVML)");
        m.put("gpu", s.gpu());
        m.put("deployed", s.deployedAfterStep() >= 0);
        if (s.deployedAfterStep() < 0) {
            return m;
        }
        m.put("deployed_after_step", s.deployedAfterStep());
        if (s.frontierPoints() > 0) {
            m.put("frontier_points", s.frontierPoints());
            m.put("fastest_seconds", s.fastestSeconds());
        }
        m.put("planned_iteration_seconds", s.plannedSeconds());
        m.put("replayed_iteration_seconds", Double.isNaN(s.replayedSeconds()) ? null : s.replayedSeconds());
        m.put("measured_iteration_seconds", s.measured().iterations() > 0 ? s.measured().iterationSeconds() : null);
        m.put("predicted_joules_per_iteration", LiveEnergyPlan.sum(s.predicted()));
        m.put("max_clock_joules_per_iteration", LiveEnergyPlan.sum(s.predictedAtMaxClock()));
        m.put("saving_percent", s.savingPercent());
        m.put("saving_basis", "the model: every stage at its highest clock against the plan, over the same iteration time"
                + (s.applied() ? "" : "; clocks were not set, so no saving was measured"));
        m.put("measured_iterations", s.measured().iterations());
        if (s.measuredAtMaxClock().iterations() > 0) {
            m.put("measured_max_clock_iterations", s.measuredAtMaxClock().iterations());
            m.put("measured_max_clock_joules_per_iteration", LiveEnergyPlan.sum(s.measuredAtMaxClock().windowJoules()));
            m.put("measured_saving_percent", s.measuredSavingPercent());
        }
        List<Map<String, Object>> stages = new ArrayList<>();
        for (int i = 0; i < s.predicted().length; i++) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("stage", i);
            st.put("predicted_joules", s.predicted()[i]);
            st.put("max_clock_joules", s.predictedAtMaxClock()[i]);
            if (s.measured().iterations() > 0) {
                st.put("measured_joules", s.measured().windowJoules()[i]);
                st.put("measured_forward_joules", s.measured().forwardJoules()[i]);
                st.put("measured_backward_joules", s.measured().backwardJoules()[i]);
            }
            if (s.measuredAtMaxClock().iterations() > 0) {
                st.put("measured_max_clock_joules", s.measuredAtMaxClock().windowJoules()[i]);
            }
            for (Measurement p : s.profiled()) {
                if (p.stage() == i) {
                    st.put("profiled_" + p.instruction().csvName(), Map.of("mhz", p.frequencyMhz(), "seconds", p.timeSeconds(), "joules", p.energyJoules()));
                }
            }
            st.put("clocks", s.inForce().stages().get(i).steps().stream().map(x -> x.instruction() + "=" + x.mhz()).toList());
            if (s.lastHanded() != null) {
                st.put("last_iteration_clocks", s.lastHanded().get(i).get(0).stream().map(StageClocks.Handed::toString).toList());
            }
            stages.add(st);
        }
        m.put("stages", stages);
        List<Map<String, Object>> switches = new ArrayList<>();
        for (LiveEnergyPlan.Switch w : s.switches()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("after_step", w.afterStep());
            x.put("straggler_seconds", w.stragglerSeconds());
            x.put("point_seconds", w.pointSeconds());
            x.put("predicted_joules_per_iteration", w.joules());
            x.put("saving_percent", w.savingPercent());
            x.put("less_than_before_joules", w.lessThanBeforeJoules());
            switches.add(x);
        }
        m.put("switches", switches);
        return m;
    }

    /** The report's section: the facts, and a table of each stage's joules per iteration. */
    public static void addTo(HtmlReport page, Summary s) {
        page.heading("Energy plan (" + sourceName(s.source()) + ")");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("basis", s.basis() == null ? "profiling not finished" : s.basis());
        facts.put("clocks", s.applied() ? "set by the frequency controllers" : "dry run: each change reported, none set");
        facts.put("energy counters", s.simulated() ? "SIMULATED: the " + s.gpu() + " model on this machine's pass times" : "measured through NVML");
        if (s.deployedAfterStep() < 0) {
            page.facts(facts);
            return;
        }
        facts.put("iteration time", String.format(Locale.ROOT, "%.4g s planned; %s replayed at the clocks handed over; %s measured",
                s.plannedSeconds(), Double.isNaN(s.replayedSeconds()) ? "not" : String.format(Locale.ROOT, "%.4g s", s.replayedSeconds()),
                s.measured().iterations() > 0 ? String.format(Locale.ROOT, "%.4g s", s.measured().iterationSeconds()) : "not"));
        facts.put("saving against every stage at its highest clock", String.format(Locale.ROOT, "%.2f %% (%s)", s.savingPercent(),
                s.applied() ? "the model's" : "the model's; clocks were not set, so none was measured"));
        if (!Double.isNaN(s.measuredSavingPercent())) {
            facts.put("saving measured in this run", String.format(Locale.ROOT, "%.2f %% (%d iterations at the plan's clocks against %d at"
                    + " the highest clock, alternating)", s.measuredSavingPercent(), s.measured().iterations(), s.measuredAtMaxClock().iterations()));
        }
        facts.put("straggler switches", String.valueOf(s.switches().size()));
        page.facts(facts);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < s.predicted().length; i++) {
            boolean m = s.measured().iterations() > 0;
            rows.add(List.of(String.valueOf(i), m ? fmt(s.measured().windowJoules()[i]) : "-", m ? fmt(s.measured().forwardJoules()[i]) : "-",
                    m ? fmt(s.measured().backwardJoules()[i]) : "-", fmt(s.predicted()[i]), fmt(s.predictedAtMaxClock()[i]),
                    clocks(s.inForce(), i, "F") + " / " + clocks(s.inForce(), i, "B")));
        }
        page.table(List.of("stage", "measured J/iter", "of it forward", "of it backward", "predicted J/iter (plan)",
                "predicted J/iter (max clock)", "clocks F / B (MHz)"), rows);
    }

    private static String clocks(PlanFrequencies f, int stage, String prefix) {
        var st = f.stages().get(stage).steps().stream().filter(x -> x.instruction().startsWith(prefix)).mapToInt(x -> x.mhz()).summaryStatistics();
        return st.getMin() == st.getMax() ? Integer.toString(st.getMin()) : st.getMin() + "-" + st.getMax();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
