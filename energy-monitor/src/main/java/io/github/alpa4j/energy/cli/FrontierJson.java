package io.github.alpa4j.energy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.plan.ChosenPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code --json} file. Times in seconds, energies in joules for one pipeline and one iteration.
 *
 * <pre>
 * profile            where the profile came from
 * stages, microbatches, schedule ("1f1b" | "gpipe")
 * tau_seconds        time quantum τ
 * p_blocking_watts   P_block
 * dominance          "raw_energy" | "effective_energy": how measured options were filtered
 * straggler_time     T′ if a straggler sets the iteration time, else null
 * deadline           the iteration time the chosen point must meet: T′, or fastest_time
 * fastest_time       the frontier's fastest iteration time (all computations at their fastest)
 * slowest_time       its slowest (every computation at its least energy)
 * baseline_energy    every computation at maximum frequency, P_block filling idle time to the deadline
 * saving_percent     100 · (baseline_energy − chosen.energy) / baseline_energy
 * chosen             time, energy (idle time to the deadline at P_block), computation_energy
 *                    (effective energy of the computations alone), at_maximum_frequency (true
 *                    when no frontier point saves energy, so every computation runs at its
 *                    highest clock), measured_energy and
 *                    measured_saving_percent (the chosen clocks priced by the measurements
 *                    rather than the fitted curves), frequencies: the SM clock of every
 *                    computation (stage, microbatch, instruction, frequency_mhz)
 * points             every step from slowest to fastest: time, energy (at its own time),
 *                    pareto (no faster-or-equal point uses less energy)
 * </pre>
 */
final class FrontierJson {
    record Document(String profile, int stages, int microbatches, String schedule, double tauSeconds,
                    double pBlockingWatts, String dominance, Double stragglerTime, double deadline, double fastestTime, double slowestTime,
                    double baselineEnergy, double savingPercent, Chosen chosen, List<Point> points) {
    }

    record Chosen(double time, double energy, double computationEnergy, boolean atMaximumFrequency,
                  double measuredEnergy, double measuredSavingPercent, List<Assignment> frequencies) {
    }

    record Assignment(int stage, int microbatch, String instruction, int frequencyMhz) {
    }

    record Point(double time, double energy, boolean pareto) {
    }

    private FrontierJson() {
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    static Document document(FrontierRequest request, Frontier frontier, ChosenPlan chosen) {
        List<Assignment> frequencies = new ArrayList<>();
        for (int i = 0; i < frontier.dag().size(); i++) {
            Computation c = frontier.dag().computation(i);
            frequencies.add(new Assignment(c.stage(), c.microbatch(), c.instruction().csvName(),
                    chosen.frequenciesMhz().get(i)));
        }
        Set<Integer> pareto = new HashSet<>();
        frontier.paretoPoints().forEach(p -> pareto.add(p.index()));
        List<Point> points = new ArrayList<>();
        for (FrontierPoint p : frontier.points()) {
            points.add(new Point(p.timeSeconds(), p.energyJoules(), pareto.contains(p.index())));
        }
        return new Document(request.profile().description(), request.stages(), request.microbatches(),
                request.schedule().cliName(), request.tauSeconds(), request.blockingWatts(),
                request.dominance().name().toLowerCase(Locale.ROOT),
                request.stragglerSeconds().isPresent() ? request.stragglerSeconds().getAsDouble() : null,
                chosen.deadlineSeconds(), frontier.fastest().timeSeconds(), frontier.slowest().timeSeconds(),
                chosen.baselineJoules(), chosen.savingPercent(),
                new Chosen(chosen.point().timeSeconds(), chosen.energyJoules(), chosen.computationEnergyJoules(),
                        chosen.atMaximumFrequency(), chosen.measuredEnergyJoules(), chosen.measuredSavingPercent(),
                        frequencies),
                points);
    }

    /** The document as the file holds it. */
    static byte[] bytes(Document document) {
        try {
            return mapper().writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the frontier's JSON", e);
        }
    }
}
