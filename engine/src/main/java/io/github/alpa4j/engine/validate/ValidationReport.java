package io.github.alpa4j.engine.validate;

import io.github.alpa4j.planner.plan.Units;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's verdict on a cost model: each case's predicted against measured iteration time, the
 * median and largest relative error, the pairs of plans of one model and mesh whose measured times
 * differ by more than {@link #DISTINCT} and whose predicted order disagrees, and how far each automatic
 * plan measures from the fastest plan of its model and mesh.
 */
public record ValidationReport(String cluster, List<Validator.Result> results, Validator.Devices devices) {
    /** Measured times further apart than this ratio must be predicted in the same order. */
    public static final double DISTINCT = 1.25;

    public ValidationReport {
        results = List.copyOf(results);
    }

    /** Runs on simulated CPU devices. */
    public ValidationReport(String cluster, List<Validator.Result> results) {
        this(cluster, results, Validator.Devices.CPU);
    }

    /** |predicted − measured| / measured of every case. */
    public double[] errors() {
        return results.stream().mapToDouble(r -> Math.abs(r.predicted() - r.measured()) / r.measured()).toArray();
    }

    public double medianError() {
        double[] e = errors();
        Arrays.sort(e);
        return e.length == 0 ? 0 : e.length % 2 == 1 ? e[e.length / 2] : (e[e.length / 2 - 1] + e[e.length / 2]) / 2;
    }

    public double largestError() {
        return Arrays.stream(errors()).max().orElse(0);
    }

    /** Two plans of one model and mesh, measured apart by more than {@link #DISTINCT}, predicted the other way round. */
    public record Disagreement(Validator.Result faster, Validator.Result slower) {
    }

    public List<Disagreement> disagreements() {
        List<Disagreement> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            for (int j = i + 1; j < results.size(); j++) {
                Validator.Result a = results.get(i);
                Validator.Result b = results.get(j);
                if (!group(a).equals(group(b))) {
                    continue;
                }
                Validator.Result fast = a.measured() <= b.measured() ? a : b;
                Validator.Result slow = fast == a ? b : a;
                if (slow.measured() > DISTINCT * fast.measured() && !(fast.predicted() < slow.predicted())) {
                    out.add(new Disagreement(fast, slow));
                }
            }
        }
        return out;
    }

    /** Each automatic plan's measured time over the fastest measured plan of its model and mesh. */
    public Map<Validator.Result, Double> automaticOverFastest() {
        Map<Validator.Result, Double> out = new LinkedHashMap<>();
        for (Validator.Result r : results) {
            if (r.c().plan().equals("auto") || r.c().plan().equals("stages")) {
                double fastest = results.stream().filter(o -> group(o).equals(group(r))).mapToDouble(Validator.Result::measured).min()
                        .orElseThrow();
                out.put(r, r.measured() / fastest);
            }
        }
        return out;
    }

    /**
     * Each automatic plan's measured time over the fastest measured plan among those it chooses from: for
     * {@code auto} (one intra-op plan over the whole mesh, as Alpa's intra-operator pass alone) the other plans
     * of its model and mesh that are not pipelines; for {@code stages} (Alpa's search over stages and
     * shardings) all of them.
     */
    public Map<Validator.Result, Double> automaticOverFastestSearched() {
        Map<Validator.Result, Double> out = new LinkedHashMap<>();
        for (Validator.Result r : results) {
            if (r.c().plan().equals("auto") || r.c().plan().equals("stages")) {
                boolean intraOnly = r.c().plan().equals("auto");
                double fastest = results.stream().filter(o -> group(o).equals(group(r)) && !(intraOnly && o.c().pipeline()))
                        .mapToDouble(Validator.Result::measured).min().orElseThrow();
                out.put(r, r.measured() / fastest);
            }
        }
        return out;
    }

    private static String group(Validator.Result r) {
        return r.c().model() + " " + r.c().mesh();
    }

    public String render() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "cost model of %s against %d runs on %s%n%n",
                cluster, results.size(), devices.description()));
        sb.append(String.format(Locale.ROOT, "%-6s %-5s %-26s %12s %12s %8s%n", "model", "mesh", "plan", "predicted", "measured", "error"));
        for (Validator.Result r : results) {
            sb.append(String.format(Locale.ROOT, "%-6s %-5s %-26s %12s %12s %+7.0f%%%n", r.c().model(), r.c().mesh(), r.c().plan(),
                    Units.seconds(r.predicted()), Units.seconds(r.measured()), 100 * (r.predicted() - r.measured()) / r.measured()));
            for (var s : r.check().stages()) {
                sb.append(String.format(Locale.ROOT, "         stage %d forward %s (predicted %s), backward %s (predicted %s) per microbatch%n",
                        s.index(), Units.seconds(s.measuredForward()), Units.seconds(s.predictedForward()),
                        Units.seconds(s.measuredBackward()), Units.seconds(s.predictedBackward())));
            }
            r.kinds().forEach((kind, t) -> sb.append(String.format(Locale.ROOT, "         %-14s %s per step (predicted %s)%n", kind,
                    Units.seconds(t.measured()), Units.seconds(t.predicted()))));
        }
        sb.append(String.format(Locale.ROOT, "%nrelative error of the iteration time: median %.1f %%, largest %.1f %%%n", 100 * medianError(),
                100 * largestError()));
        List<Disagreement> d = disagreements();
        sb.append(String.format(Locale.ROOT, "plan pairs measured more than %.0f %% apart and predicted in the other order: %d%n",
                100 * (DISTINCT - 1), d.size()));
        for (Disagreement x : d) {
            sb.append(String.format(Locale.ROOT, "  %s %s: %s measured %s (predicted %s) vs %s measured %s (predicted %s)%n", x.faster().c().model(),
                    x.faster().c().mesh(), x.faster().c().plan(), Units.seconds(x.faster().measured()), Units.seconds(x.faster().predicted()),
                    x.slower().c().plan(), Units.seconds(x.slower().measured()), Units.seconds(x.slower().predicted())));
        }
        Map<Validator.Result, Double> searched = automaticOverFastestSearched();
        automaticOverFastest().forEach((r, ratio) -> sb.append(String.format(Locale.ROOT,
                "automatic plan %s on %s %s: %.2f x the fastest measured plan of its model and mesh, %.2f x the fastest of the plans"
                        + " it chooses among (%s)%n", r.c().plan(), r.c().model(), r.c().mesh(), ratio, searched.get(r),
                r.c().plan().equals("auto") ? "one sharding of the whole mesh" : "pipelines and shardings")));
        return sb.toString();
    }

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", cluster);
        m.put("devices", devices.name().toLowerCase(Locale.ROOT));
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Validator.Result r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("model", r.c().model());
            c.put("mesh", r.c().mesh());
            c.put("plan", r.c().plan());
            c.put("planned", r.planned());
            r.check().addTo(c);
            Map<String, Object> kinds = new LinkedHashMap<>();
            r.kinds().forEach((k, t) -> kinds.put(k, Map.of("predicted_seconds", t.predicted(), "measured_seconds", t.measured())));
            c.put("collectives", kinds);
            cases.add(c);
        }
        m.put("cases", cases);
        m.put("median_relative_error", medianError());
        m.put("largest_relative_error", largestError());
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (Disagreement d : disagreements()) {
            pairs.add(Map.of("model", d.faster().c().model(), "mesh", d.faster().c().mesh(), "measured_faster", d.faster().c().plan(),
                    "measured_slower", d.slower().c().plan()));
        }
        m.put("order_disagreements", pairs);
        Map<String, Object> auto = new LinkedHashMap<>();
        automaticOverFastest().forEach((r, ratio) -> auto.put(r.c().toString(), ratio));
        m.put("automatic_over_fastest", auto);
        Map<String, Object> searched = new LinkedHashMap<>();
        automaticOverFastestSearched().forEach((r, ratio) -> searched.put(r.c().toString(), ratio));
        m.put("automatic_over_fastest_searched", searched);
        return m;
    }
}
