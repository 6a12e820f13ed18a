package io.github.alpa4j.energy.cli;

import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.plan.ChosenPlan;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.plan.MaxFrequencyBaseline;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.Profile;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The frontier as text: its Pareto points (the best energy at or under each time) from slowest
 * to fastest, thinned evenly to a row budget but keeping both ends, plus the chosen point, each
 * with what it saves against maximum frequency if its time were the deadline. When no point
 * saves anything, the chosen row is every computation at maximum frequency, after the points.
 */
final class FrontierTable {
    private FrontierTable() {
    }

    static String render(FrontierRequest request, Frontier frontier, Profile profile, ChosenPlan chosen) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Perseus frontier: %d stages x %d microbatches, %s, tau = %s ms, "
                        + "P_block = %.2f W, %s dominance%nprofile: %s%n", request.stages(), request.microbatches(),
                request.schedule().cliName(), trim(request.tauSeconds() * 1e3), request.blockingWatts(),
                request.dominance() == Dominance.RAW_ENERGY ? "raw-energy" : "effective-energy",
                request.profile().description()));
        List<FrontierPoint> pareto = frontier.paretoPoints();
        TreeSet<Integer> rows = new TreeSet<>();
        int budget = Math.min(request.tableRows(), pareto.size());
        for (int r = 0; r < budget; r++) {
            rows.add(pareto.get((int) Math.round((double) r * (pareto.size() - 1) / Math.max(1, budget - 1))).index());
        }
        rows.add(chosen.point().index());
        out.append(String.format(Locale.ROOT, "  %10s  %12s  %10s%n", "time (s)", "energy (J)", "saving"));
        for (int index : rows) {
            FrontierPoint p = frontier.points().get(index);
            double baseline = MaxFrequencyBaseline.energy(frontier.dag(), profile, frontier.profile().blockingWatts(),
                    p.timeSeconds());
            boolean isChosen = !chosen.atMaximumFrequency() && index == chosen.point().index();
            out.append(String.format(Locale.ROOT, "%s %10.4f  %12.2f  %8.2f %%%s%n", isChosen ? "*" : " ",
                    p.timeSeconds(), p.energyJoules(), 100 * (baseline - p.energyJoules()) / baseline,
                    isChosen ? "   <- chosen" : ""));
        }
        if (chosen.atMaximumFrequency()) {
            out.append(String.format(Locale.ROOT, "* %10.4f  %12.2f  %8.2f %%   <- chosen: all at maximum frequency, "
                            + "no point within the deadline saves energy%n", chosen.point().timeSeconds(),
                    chosen.energyJoules(), chosen.savingPercent()));
        }
        out.append(String.format(Locale.ROOT, "%d Pareto points of %d steps, %d shown; fastest %.4f s, slowest %.4f s%n",
                pareto.size(), frontier.points().size(), rows.size(), frontier.fastest().timeSeconds(),
                frontier.slowest().timeSeconds()));
        String why = switch (chosen.deadline()) {
            case Deadline.NoStraggler ignored -> "no straggler";
            case Deadline.Straggler s -> "straggler at " + trim(s.seconds()) + " s";
        };
        out.append(String.format(Locale.ROOT, "chosen: %.4f s, %.2f J over the %.4f s deadline (%s); "
                        + "all at maximum frequency: %.2f J; saving %.2f %%%n", chosen.point().timeSeconds(),
                chosen.energyJoules(), chosen.deadlineSeconds(), why, chosen.baselineJoules(), chosen.savingPercent()));
        out.append(String.format(Locale.ROOT, "the chosen clocks by the measurements instead of the fitted curves: "
                + "%.2f J; saving %.2f %%%n", chosen.measuredEnergyJoules(), chosen.measuredSavingPercent()));
        return out.toString();
    }

    private static String trim(double value) {
        return String.format(Locale.ROOT, "%.6f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
