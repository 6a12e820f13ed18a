package io.github.alpa4j.engine.cli;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.cli.FrontierReport;
import io.github.alpa4j.energy.cli.FrontierRequest;
import io.github.alpa4j.energy.cli.FrontierResult;
import io.github.alpa4j.energy.cli.ProfileSource;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.Dominance;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code alpa4j energy frontier}: the frontier of a measured profile, the chosen point and the saving. */
@Command(name = "frontier", mixinStandardHelpOptions = true,
        description = "Compute the iteration-time/energy frontier of a pipeline and choose its frequencies.")
public class FrontierCommand implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "Measured profile CSV: stage,instruction,frequency,time,energy.")
    Path profile;

    @Option(names = "--stages", required = true, description = "Pipeline stages (the profile must cover exactly these).")
    int stages;

    @Option(names = "--microbatches", required = true, description = "Microbatches per iteration.")
    int microbatches;

    @Option(names = "--schedule", defaultValue = "1f1b", description = "1f1b or gpipe (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--p-blocking", defaultValue = "0", description = "GPU power while blocked on communication, W (default: ${DEFAULT-VALUE}).")
    double blockingWatts;

    @Option(names = "--tau-ms", defaultValue = "1", description = "Time quantum in milliseconds (default: ${DEFAULT-VALUE}).")
    double tauMs;

    @Option(names = "--dominance", defaultValue = "raw",
            description = "Drop measured options beaten in raw energy (the Perseus artifact's rule) or in effective energy E - P_block*t, never worse (default: ${DEFAULT-VALUE}).")
    String dominance;

    @Option(names = "--straggler-time", description = "Iteration time a straggler imposes, seconds.")
    Double stragglerTime;

    @Option(names = "--json", description = "Write the frontier and the chosen point to this JSON file.")
    Path json;

    @Option(names = "--plot", description = "Draw time against energy with the chosen point (.svg or .png).")
    Path plot;

    @Option(names = "--rows", defaultValue = "40", description = "Most frontier rows to print (default: ${DEFAULT-VALUE}).")
    int rows;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Dominance d = switch (dominance) {
            case "raw" -> Dominance.RAW_ENERGY;
            case "effective" -> Dominance.EFFECTIVE_ENERGY;
            default -> throw new EnergyInputException("unknown --dominance '" + dominance + "'; use raw or effective");
        };
        if (rows < 2) {
            throw new EnergyInputException("--rows must be at least 2, got " + rows);
        }
        FrontierRequest request = new FrontierRequest(new ProfileSource.CsvFile(profile), stages, microbatches,
                PipelineSchedule.fromCliName(schedule), blockingWatts, tauMs / 1000, d,
                stragglerTime == null ? OptionalDouble.empty() : OptionalDouble.of(stragglerTime),
                Optional.ofNullable(json), Optional.ofNullable(plot), rows);
        FrontierResult r = FrontierReport.run(request);
        spec.commandLine().getOut().print(r.table());
        json().ifPresent(p -> spec.commandLine().getOut().println("frontier written to " + p));
        if (plot != null) {
            spec.commandLine().getOut().println("plot written to " + plot);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private Optional<Path> json() {
        return Optional.ofNullable(json);
    }
}
