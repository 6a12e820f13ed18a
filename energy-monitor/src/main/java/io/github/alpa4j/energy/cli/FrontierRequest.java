package io.github.alpa4j.energy.cli;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.Dominance;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One {@code alpa4j energy frontier} run, flag by flag.
 *
 * @param profile {@code --profile FILE.csv}, or a profile the energy model predicted
 * @param stages {@code --stages S}: pipeline stages; the profile must cover exactly these
 * @param microbatches {@code --microbatches M}
 * @param schedule {@code --schedule 1f1b|gpipe}
 * @param blockingWatts {@code --p-blocking W}: power of a GPU blocked on communication, P_block
 * @param tauSeconds {@code --tau-ms X} (converted to seconds): the time quantum τ
 * @param dominance {@code --dominance raw|effective}: which energy decides that a measured
 *     option is beaten; raw reproduces the Perseus artifact, effective never does worse
 * @param stragglerSeconds {@code --straggler-time T}: iteration time a straggler imposes, if any
 * @param json {@code --json FILE}: where to write the frontier and the chosen point
 * @param plot {@code --plot FILE.svg|FILE.png}: where to draw time against energy
 * @param tableRows most frontier rows to print; the JSON always has every point
 */
public record FrontierRequest(ProfileSource profile, int stages, int microbatches, PipelineSchedule schedule,
                              double blockingWatts, double tauSeconds, Dominance dominance,
                              OptionalDouble stragglerSeconds,
                              Optional<Path> json, Optional<Path> plot, int tableRows) {
    public static final PipelineSchedule DEFAULT_SCHEDULE = PipelineSchedule.ONE_F_ONE_B;
    /** No blocking power unless given: the frontier then prices computation alone. */
    public static final double DEFAULT_BLOCKING_WATTS = 0;
    /** The quantum the Perseus authors used on A100 (REFERENCES.md §3). */
    public static final double DEFAULT_TAU_SECONDS = 1e-3;
    /** The Perseus authors' rule, so a measured profile gives their frontier. */
    public static final Dominance DEFAULT_DOMINANCE = Dominance.RAW_ENERGY;
    public static final int DEFAULT_TABLE_ROWS = 40;
    /** More than any GPU draws, blocked or not. */
    public static final double MAX_BLOCKING_WATTS = 100_000;

    public FrontierRequest {
        if (stages < 1) {
            throw new EnergyInputException("--stages must be at least 1, got " + stages);
        }
        if (microbatches < 1) {
            throw new EnergyInputException("--microbatches must be at least 1, got " + microbatches);
        }
        if (!(blockingWatts >= 0) || !(blockingWatts <= MAX_BLOCKING_WATTS)) {
            throw new EnergyInputException("--p-blocking must be a power from 0 W to " + (long) MAX_BLOCKING_WATTS + " W, got " + blockingWatts);
        }
        if (!(tauSeconds > 0) || !Double.isFinite(tauSeconds)) {
            throw new EnergyInputException("--tau-ms must be positive, got " + tauSeconds * 1e3);
        }
        if (stragglerSeconds.isPresent()
                && (!(stragglerSeconds.getAsDouble() > 0) || !Double.isFinite(stragglerSeconds.getAsDouble()))) {
            throw new EnergyInputException("--straggler-time must be a positive number of seconds, got "
                    + stragglerSeconds.getAsDouble());
        }
        if (tableRows < 2) {
            throw new IllegalArgumentException("a frontier table needs at least two rows, got " + tableRows);
        }
    }

    /** A request with every optional flag at its default. */
    public static FrontierRequest of(ProfileSource profile, int stages, int microbatches) {
        return new FrontierRequest(profile, stages, microbatches, DEFAULT_SCHEDULE, DEFAULT_BLOCKING_WATTS,
                DEFAULT_TAU_SECONDS, DEFAULT_DOMINANCE, OptionalDouble.empty(), Optional.empty(), Optional.empty(), DEFAULT_TABLE_ROWS);
    }
}
