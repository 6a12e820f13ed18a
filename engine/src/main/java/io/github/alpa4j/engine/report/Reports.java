package io.github.alpa4j.engine.report;

import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.monitor.EnergySummary;
import io.github.alpa4j.energy.plan.ChosenPlan;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.train.CostCheck;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.engine.train.TrainResult;
import io.github.alpa4j.engine.validate.ValidationReport;
import io.github.alpa4j.engine.validate.Validator;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The pages of {@code --report}: a training run, a plan, an energy frontier, a validation. */
public final class Reports {
    private Reports() {
    }

    /** What a training run's page shows beyond its steps: its plan (a mesh's or a pipeline's), the cost check, the energy. */
    public record TrainExtras(IntraOpPlan meshPlan, PipelinePlan pipeline, List<List<PipelineRuntime.TaskTiming>> lastStep,
                              CostCheck check, EnergySummary energy) {
    }

    public static HtmlReport train(TrainResult r, TrainExtras x) {
        HtmlReport page = new HtmlReport("Training " + r.model() + " on " + r.backend());
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model", r.model() + ", " + String.format(Locale.ROOT, "%,d", r.parameters()) + " parameters");
        facts.put("data", r.data());
        facts.put("ran on", r.backend());
        facts.put("steps", String.valueOf(r.steps().size()));
        facts.put("loss", String.format(Locale.ROOT, "%.4f -> %.4f", r.firstLoss(), r.lastLoss()));
        r.entropyFloor().ifPresent(f -> facts.put("entropy floor", String.format(Locale.ROOT, "%.4f nats", f)));
        facts.put("throughput", String.format(Locale.ROOT, "%,.0f tokens/s (all steps but the first)", r.meanTokensPerSecond()));
        facts.put("peak memory per device", Units.bytes(r.peakBytesPerDevice()));
        if (x.energy() != null) {
            facts.put("energy", String.format(Locale.ROOT, "%.2f J per step, %.0f W, %.2f tokens/J (GPU 0, NVML)",
                    x.energy().joulesPerIteration(), x.energy().averagePowerWatts(), x.energy().tokensPerJoule()));
        }
        page.facts(facts);
        double[] step = r.steps().stream().mapToDouble(StepMetrics::step).toArray();
        XYChart loss = Charts.lines("loss per step", "step", "loss");
        Charts.line(loss, "loss", step, r.steps().stream().mapToDouble(StepMetrics::loss).toArray(), Charts.FORWARD);
        r.entropyFloor().ifPresent(f -> Charts.line(loss, "entropy floor", new double[] {step[0], step[step.length - 1]},
                new double[] {f, f}, Charts.OTHER));
        page.heading("Loss").chart(loss);
        XYChart speed = Charts.lines("throughput per step", "step", "tokens/s");
        Charts.line(speed, "tokens/s", step, r.steps().stream().mapToDouble(StepMetrics::tokensPerSecond).toArray(), Charts.FORWARD);
        page.heading("Throughput").chart(speed);
        if (x.energy() != null && x.energy().iterationJoules().size() == step.length) {
            XYChart j = Charts.lines("energy per step (GPU 0)", "step", "J");
            Charts.line(j, "joules", step, x.energy().iterationJoules().stream().mapToDouble(Double::doubleValue).toArray(), Charts.BACKWARD);
            page.heading("Energy").chart(j);
        }
        if (x.check() != null) {
            page.heading("Predicted against measured");
            page.text(x.check().render());
        }
        if (x.pipeline() != null) {
            PlanSections.schedule(page, x.pipeline(), x.lastStep());
            PlanSections.stages(page, x.pipeline());
        }
        if (x.meshPlan() != null) {
            PlanSections.shardings(page, x.meshPlan(), "Sharding of each node on mesh " + x.meshPlan().mesh());
        }
        return page;
    }

    public static HtmlReport plan(IntraOpPlan plan) {
        HtmlReport page = new HtmlReport("Plan " + plan.method() + " on mesh " + plan.mesh());
        page.heading("Where the step's time goes");
        page.chart(PlanSections.cumulativeTime(plan));
        PlanSections.shardings(page, plan, "Sharding of each node");
        Map<String, Long> byKind = PlanSections.bytesByKind(plan);
        if (!byKind.isEmpty()) {
            page.heading("Collectives");
            List<List<String>> rows = new ArrayList<>();
            byKind.forEach((k, b) -> rows.add(List.of(k, Units.bytes(b))));
            page.table(List.of("collective", "bytes per step"), rows);
        }
        return page;
    }

    public static HtmlReport plan(PipelinePlan plan) {
        HtmlReport page = new HtmlReport("Pipeline plan " + plan.method());
        PlanSections.schedule(page, plan, null);
        PlanSections.stages(page, plan);
        return page;
    }

    /** The frontier: every step's point, the Pareto points, the chosen one and every GPU at its highest clock. */
    public static HtmlReport frontier(Frontier f, ChosenPlan chosen, String title) {
        HtmlReport page = new HtmlReport(title);
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("frontier", f.points().size() + " steps, " + f.paretoPoints().size() + " Pareto points, "
                + String.format(Locale.ROOT, "%.4f s to %.4f s", f.fastest().timeSeconds(), f.slowest().timeSeconds()));
        facts.put("chosen", String.format(Locale.ROOT, "%.4f s, %.1f J (deadline %.4f s: %s)", chosen.point().timeSeconds(),
                chosen.energyJoules(), chosen.deadlineSeconds(),
                chosen.deadline() instanceof io.github.alpa4j.energy.plan.Deadline.Straggler ? "a straggler's time" : "the fastest point, no straggler"));
        facts.put("every GPU at its highest clock", String.format(Locale.ROOT, "%.1f J", chosen.baselineJoules()));
        facts.put("saved", String.format(Locale.ROOT, "%.2f %%", chosen.savingPercent()));
        page.facts(facts);
        XYChart c = Charts.lines("iteration time against energy", "iteration time (s)", "energy per iteration (J)");
        Charts.line(c, "every step", xs(f.points()), ys(f.points()), Color.LIGHT_GRAY);
        Charts.line(c, "Pareto frontier", xs(f.paretoPoints()), ys(f.paretoPoints()), Charts.FORWARD);
        XYSeries pick = c.addSeries("chosen", new double[] {chosen.point().timeSeconds()}, new double[] {chosen.energyJoules()});
        pick.setMarker(SeriesMarkers.DIAMOND);
        pick.setMarkerColor(new Color(0xd62728));
        XYSeries base = c.addSeries("all at the highest clock", new double[] {chosen.deadlineSeconds()}, new double[] {chosen.baselineJoules()});
        base.setMarker(SeriesMarkers.SQUARE);
        base.setMarkerColor(Charts.BACKWARD);
        page.heading("Frontier").chart(c);
        if (!chosen.frequenciesMhz().isEmpty()) {
            page.heading("Chosen frequencies (MHz), one per computation in the DAG's order");
            page.text(chosen.frequenciesMhz().toString());
        }
        return page;
    }

    private static double[] xs(List<FrontierPoint> p) {
        return p.stream().mapToDouble(FrontierPoint::timeSeconds).toArray();
    }

    private static double[] ys(List<FrontierPoint> p) {
        return p.stream().mapToDouble(FrontierPoint::energyJoules).toArray();
    }

    public static HtmlReport validation(ValidationReport v) {
        HtmlReport page = new HtmlReport("Cost model of " + v.cluster() + " against runs");
        page.facts(Map.of("median error", String.format(Locale.ROOT, "%.1f %%", 100 * v.medianError()), "largest error",
                String.format(Locale.ROOT, "%.1f %%", 100 * v.largestError()), "order disagreements",
                String.valueOf(v.disagreements().size())));
        XYChart c = Charts.lines("predicted against measured iteration time", "predicted (ms)", "measured (ms)");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(9);
        Map<String, List<Validator.Result>> byModel = new TreeMap<>();
        double hi = 0;
        for (Validator.Result r : v.results()) {
            byModel.computeIfAbsent(r.c().model(), k -> new ArrayList<>()).add(r);
            hi = Math.max(hi, Math.max(r.predicted(), r.measured()));
        }
        byModel.forEach((m, rs) -> c.addSeries(m, rs.stream().mapToDouble(r -> 1e3 * r.predicted()).toArray(),
                rs.stream().mapToDouble(r -> 1e3 * r.measured()).toArray()));
        XYSeries same = c.addSeries("predicted = measured", new double[] {0, 1e3 * hi}, new double[] {0, 1e3 * hi});
        same.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        same.setMarker(SeriesMarkers.NONE);
        same.setLineColor(Charts.OTHER);
        page.heading("Iterations").chart(c);
        List<List<String>> rows = new ArrayList<>();
        for (Validator.Result r : v.results()) {
            rows.add(List.of(r.c().model(), r.c().mesh(), r.c().plan(), Units.seconds(r.predicted()), Units.seconds(r.measured()),
                    String.format(Locale.ROOT, "%+.0f %%", 100 * (r.predicted() - r.measured()) / r.measured())));
            r.kinds().forEach((kind, t) -> rows.add(List.of("", "", "  " + kind, Units.seconds(t.predicted()), Units.seconds(t.measured()),
                    t.measured() > 0 ? String.format(Locale.ROOT, "%+.0f %%", 100 * (t.predicted() - t.measured()) / t.measured()) : "")));
            r.check().stages().forEach(s -> rows.add(List.of("", "", "  stage " + s.index() + " forward+backward",
                    Units.seconds(s.predictedForward() + s.predictedBackward()), Units.seconds(s.measuredForward() + s.measuredBackward()), "")));
        }
        page.heading("Cases, their collectives and stages");
        page.table(List.of("model", "mesh", "plan", "predicted", "measured", "error"), rows);
        page.heading("Summary").text(v.render());
        return page;
    }
}
