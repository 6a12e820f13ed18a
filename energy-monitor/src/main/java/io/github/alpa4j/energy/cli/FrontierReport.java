package io.github.alpa4j.energy.cli;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.plan.ChosenPlan;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.plan.PlanChoice;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.ProfileCsv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code alpa4j energy frontier}, free of any CLI library: reads or takes the profile, builds the
 * pipeline DAG, discovers the frontier, picks the point for the deadline, and renders the table,
 * the JSON and the plot. User mistakes surface as {@link EnergyInputException} with a one-line message.
 */
public final class FrontierReport {
    /** The most computations (stages × microbatches × 2) whose frontier is solved. */
    public static final long MAX_COMPUTATIONS = 20_000;
    /**
     * The most work solved: frontier steps (quanta between the least-energy and the fastest iteration)
     * times computations; about half a minute and a gigabyte on one core.
     */
    public static final long MAX_WORK = 200_000_000;
    /** The most quanta between one computation's fastest and slowest measurement (the fitted curves are searched over them). */
    public static final double MAX_QUANTA_PER_COMPUTATION = 1e6;

    private FrontierReport() {
    }

    /** Where the report's files go; the command line writes them atomically. */
    @FunctionalInterface
    public interface Output {
        void write(Path file, byte[] bytes);
    }

    /** Hears about a long solve: its size before it starts, then each step done. */
    public interface Progress extends PhillipsDessouky.Progress {
        void start(long steps);
    }

    /** {@link #run(FrontierRequest, Output, Progress)} writing files in place, without progress. */
    public static FrontierResult run(FrontierRequest request) {
        return run(request, FrontierReport::writeInPlace, new Progress() {
            @Override
            public void start(long steps) {
            }

            @Override
            public void stepsDone(long steps) {
            }
        });
    }

    /**
     * Reads the profile, refuses a solve too large to finish (saying how large it is), discovers the
     * frontier, chooses the point, and writes the JSON and the plot the request names through {@code output}.
     */
    public static FrontierResult run(FrontierRequest request, Output output, Progress progress) {
        long computations = 2L * request.stages() * request.microbatches();
        if (computations > MAX_COMPUTATIONS) {
            throw new EnergyInputException(String.format(Locale.ROOT, "--stages %d x --microbatches %d make a pipeline of %,d computations;"
                    + " the frontier is solved for at most %,d", request.stages(), request.microbatches(), computations, MAX_COMPUTATIONS));
        }
        Profile profile = switch (request.profile()) {
            case ProfileSource.CsvFile file -> ProfileCsv.read(file.path());
            case ProfileSource.Given given -> given.profile();
        };
        if (profile.stageCount() != request.stages()) {
            throw new EnergyInputException("profile " + request.profile().description() + " covers "
                    + profile.stageCount() + " stages but --stages is " + request.stages());
        }
        double spread = profile.widestTimeRangeSeconds();
        if (spread / request.tauSeconds() > MAX_QUANTA_PER_COMPUTATION) {
            throw new EnergyInputException(String.format(Locale.ROOT, "%s: --tau-ms %.3g cuts the widest range of one computation's times"
                    + " (%.3g s) into %.3g quanta; at most %,.0f are searched: use --tau-ms %.3g or larger", request.profile().description(),
                    request.tauSeconds() * 1e3,
                    spread, spread / request.tauSeconds(), MAX_QUANTA_PER_COMPUTATION, spread / MAX_QUANTA_PER_COMPUTATION * 1e3));
        }
        FittedProfile fitted;
        try {
            fitted = FittedProfile.fit(profile, request.tauSeconds(), request.blockingWatts(), request.dominance());
        } catch (IllegalArgumentException e) {
            // the fit refuses numbers it cannot fit a convex curve through (NaN, overflow): the profile's or the flags' doing
            throw new EnergyInputException(request.profile().description() + ": no energy curve fits these times and energies at"
                    + " --p-blocking " + request.blockingWatts() + " W (" + e.getMessage() + ")");
        }
        PipelineDag dag = PipelineDag.build(request.stages(), request.microbatches(), request.schedule());
        PhillipsDessouky solver = new PhillipsDessouky(dag, fitted);
        long steps = solver.steps();
        double work = (double) steps * computations;
        if (work > MAX_WORK) {
            throw new EnergyInputException(String.format(Locale.ROOT, "%s: the frontier at --tau-ms %.3g takes %,d steps of one quantum over"
                    + " %,d computations (%.2g step-computations); at most %.0e are solved: use --tau-ms %.3g or larger, or fewer"
                    + " microbatches", request.profile().description(), request.tauSeconds() * 1e3, steps, computations, work, (double) MAX_WORK,
                    request.tauSeconds() * 1e3 * work / MAX_WORK));
        }
        progress.start(steps);
        Frontier frontier = solver.run(progress);
        Deadline deadline = request.stragglerSeconds().isPresent()
                ? new Deadline.Straggler(request.stragglerSeconds().getAsDouble())
                : new Deadline.NoStraggler();
        ChosenPlan chosen = PlanChoice.choose(frontier, profile, deadline);
        String table = FrontierTable.render(request, frontier, profile, chosen);
        request.json().ifPresent(path -> output.write(path, FrontierJson.bytes(FrontierJson.document(request, frontier, chosen))));
        request.plot().ifPresent(path -> output.write(path, FrontierPlot.render(path, frontier, chosen, String.format(Locale.ROOT,
                "%d stages x %d microbatches, %s", request.stages(), request.microbatches(),
                request.schedule().cliName()))));
        return new FrontierResult(table, frontier, chosen);
    }

    private static void writeInPlace(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
