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

import java.util.Locale;

/**
 * {@code alpa4j energy frontier}, free of any CLI library: reads or takes the profile, builds the
 * pipeline DAG, discovers the frontier, picks the point for the deadline, and renders the table,
 * the JSON and the plot. User mistakes surface as {@link EnergyInputException} with a one-line message.
 */
public final class FrontierReport {
    private FrontierReport() {
    }

    public static FrontierResult run(FrontierRequest request) {
        Profile profile = switch (request.profile()) {
            case ProfileSource.CsvFile file -> ProfileCsv.read(file.path());
            case ProfileSource.Given given -> given.profile();
        };
        if (profile.stageCount() != request.stages()) {
            throw new EnergyInputException("profile " + request.profile().description() + " covers "
                    + profile.stageCount() + " stages but --stages is " + request.stages());
        }
        FittedProfile fitted = FittedProfile.fit(profile, request.tauSeconds(), request.blockingWatts(),
                request.dominance());
        PipelineDag dag = PipelineDag.build(request.stages(), request.microbatches(), request.schedule());
        Frontier frontier = PhillipsDessouky.frontier(dag, fitted);
        Deadline deadline = request.stragglerSeconds().isPresent()
                ? new Deadline.Straggler(request.stragglerSeconds().getAsDouble())
                : new Deadline.NoStraggler();
        ChosenPlan chosen = PlanChoice.choose(frontier, profile, deadline);
        String table = FrontierTable.render(request, frontier, profile, chosen);
        request.json().ifPresent(path -> FrontierJson.write(path, FrontierJson.document(request, frontier, chosen)));
        request.plot().ifPresent(path -> FrontierPlot.write(path, frontier, chosen, String.format(Locale.ROOT,
                "%d stages x %d microbatches, %s", request.stages(), request.microbatches(),
                request.schedule().cliName())));
        return new FrontierResult(table, frontier, chosen);
    }
}
