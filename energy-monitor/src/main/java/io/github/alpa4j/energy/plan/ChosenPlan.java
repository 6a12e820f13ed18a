package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.frontier.FrontierPoint;

import java.util.List;

/**
 * The plan a pipeline runs, and what it saves: a frontier point, or every computation at maximum
 * frequency when no point within the deadline saves energy against that.
 *
 * @param deadline what set the iteration time
 * @param deadlineSeconds that iteration time: T without a straggler, T′ with one
 * @param point the least-energy frontier point whose time is within the deadline; when
 *     {@code atMaximumFrequency}, the fastest point, whose time that plan takes
 * @param atMaximumFrequency whether every computation runs at its highest clock instead of the point
 * @param energyJoules energy of one iteration of the plan, with P_block filling each GPU's idle
 *     time up to the deadline
 * @param computationEnergyJoules the part of it the computations cost beyond P_block (effective energy)
 * @param baselineJoules energy at maximum frequency over the same deadline ({@link MaxFrequencyBaseline})
 * @param savingPercent {@code 100 · (baseline − energy) / baseline}
 * @param measuredEnergyJoules the same iteration priced by the measurements at the chosen clocks
 *     instead of the fitted curves ({@link MeasuredEnergy})
 * @param frequenciesMhz SM clock of every computation, by DAG index
 */
public record ChosenPlan(Deadline deadline, double deadlineSeconds, FrontierPoint point, boolean atMaximumFrequency,
                         double energyJoules, double computationEnergyJoules, double baselineJoules,
                         double savingPercent, double measuredEnergyJoules, List<Integer> frequenciesMhz) {
    public ChosenPlan {
        frequenciesMhz = List.copyOf(frequenciesMhz);
    }

    /** {@code 100 · (baseline − measured energy) / baseline}. */
    public double measuredSavingPercent() {
        return 100 * (baselineJoules - measuredEnergyJoules) / baselineJoules;
    }
}
