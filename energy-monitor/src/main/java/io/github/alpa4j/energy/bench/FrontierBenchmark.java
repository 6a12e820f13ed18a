package io.github.alpa4j.energy.bench;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.plan.ChosenPlan;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.plan.PlanChoice;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.ProfileCsv;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the frontier on a measured profile and prints one Markdown table row per microbatch
 * count: frontier size, ends, saving at no slowdown (fitted and measured), and the solver's wall
 * time (median and best of the repeats, after warm-up runs). Benchmarks measure; nothing here asserts.
 *
 * <pre>
 * java ... io.github.alpa4j.energy.bench.FrontierBenchmark PROFILE.csv P_BLOCK_W TAU_MS M1,M2,... [raw|effective] [REPEATS]
 * </pre>
 */
public final class FrontierBenchmark {
    private static final int WARM_UP_RUNS = 2;

    private FrontierBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: FrontierBenchmark PROFILE.csv P_BLOCK_W TAU_MS M1,M2,... [raw|effective] [REPEATS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        double blockingWatts = Double.parseDouble(args[1]);
        double tauSeconds = Double.parseDouble(args[2]) / 1e3;
        int[] microbatches = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        Dominance dominance = args.length > 4 && args[4].equals("effective") ? Dominance.EFFECTIVE_ENERGY
                : Dominance.RAW_ENERGY;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        run(ProfileCsv.read(file), file.getFileName().toString(), blockingWatts, tauSeconds, microbatches, dominance,
                repeats, System.out);
    }

    /** Prints the table header and one row per microbatch count. */
    public static void run(Profile profile, String name, double blockingWatts, double tauSeconds, int[] microbatches,
                           Dominance dominance, int repeats, PrintStream out) {
        out.println("| profile | dominance | τ (ms) | microbatches | steps | fastest (s) | slowest (s) "
                + "| saving, fitted | saving, measured | fit (ms) | frontier median (s) | frontier best (s) |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        long fitStart = System.nanoTime();
        FittedProfile fitted = FittedProfile.fit(profile, tauSeconds, blockingWatts, dominance);
        double fitMillis = (System.nanoTime() - fitStart) / 1e6;
        for (int m : microbatches) {
            PipelineDag dag = PipelineDag.build(profile.stageCount(), m, PipelineSchedule.ONE_F_ONE_B);
            Frontier frontier = null;
            for (int k = 0; k < WARM_UP_RUNS; k++) {
                frontier = PhillipsDessouky.frontier(dag, fitted);
            }
            double[] seconds = new double[repeats];
            for (int k = 0; k < repeats; k++) {
                long start = System.nanoTime();
                frontier = PhillipsDessouky.frontier(dag, fitted);
                seconds[k] = (System.nanoTime() - start) / 1e9;
            }
            Arrays.sort(seconds);
            ChosenPlan plan = PlanChoice.choose(frontier, profile, new Deadline.NoStraggler());
            out.println(String.format(Locale.ROOT,
                    "| %s | %s | %s | %d | %d | %.4f | %.4f | %.2f %% | %.2f %% | %.0f | %.2f | %.2f |", name,
                    dominance == Dominance.RAW_ENERGY ? "raw" : "effective", trim(tauSeconds * 1e3), m,
                    frontier.points().size() - 1, frontier.fastest().timeSeconds(), frontier.slowest().timeSeconds(),
                    plan.savingPercent(), plan.measuredSavingPercent(), fitMillis, seconds[repeats / 2], seconds[0]));
        }
    }

    private static String trim(double value) {
        return String.format(Locale.ROOT, "%.4f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
