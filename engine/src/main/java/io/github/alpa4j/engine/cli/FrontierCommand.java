package io.github.alpa4j.engine.cli;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.cli.FrontierReport;
import io.github.alpa4j.energy.cli.FrontierRequest;
import io.github.alpa4j.energy.cli.FrontierResult;
import io.github.alpa4j.energy.cli.ProfileSource;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.engine.io.OutputFile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code alpa4j energy frontier}: the frontier of a measured profile, the chosen point and the saving. */
@Command(name = "frontier", mixinStandardHelpOptions = true,
        description = {"Compute the iteration-time/energy frontier of a pipeline and choose its frequencies.",
            "Profiles come from measurements (--profile) or from the energy model for a model on a cluster (--model)."})
public class FrontierCommand implements Callable<Integer> {
    @Option(names = "--profile", description = "Measured profile CSV: stage,instruction,frequency,time,energy.")
    Path profile;

    @CommandLine.Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--cluster", defaultValue = "hgx-h100",
            description = "With --model: cluster preset or JSON whose GPU the energy model describes (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--gpu", description = "With --model: the energy model's GPU, a100|a40|h100|v100 or a GPU file from 'energy calibrate' (default: the cluster's GPU).")
    String gpu;

    @Option(names = "--hosts", description = "With --model: hosts of the cluster (default: 1).")
    Integer hosts;

    @Option(names = "--mesh", description = "With --model: the devices the pipeline runs on, ROWSxCOLS, split evenly over the stages (default: one GPU per stage).")
    String mesh;

    @Option(names = "--stages", required = true, description = "Pipeline stages (the profile must cover exactly these).")
    int stages;

    @Option(names = "--microbatches", required = true, description = "Microbatches per iteration.")
    int microbatches;

    @Option(names = "--schedule", defaultValue = "1f1b", description = "1f1b or gpipe (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--p-blocking", description = "GPU power while blocked on communication, W (default: 0 with --profile, the GPU's static power with --model).")
    Double blockingWatts;

    @Option(names = "--tau-ms", description = "Time quantum in milliseconds (default: 1 with --profile; with --model, a fiftieth of the shortest computation).")
    Double tauMs;

    @Option(names = "--dominance", defaultValue = "raw",
            description = "Drop measured options beaten in raw energy (the Perseus artifact's rule) or in effective energy E - P_block*t, never worse (default: ${DEFAULT-VALUE}).")
    String dominance;

    @Option(names = "--straggler-time", description = "Iteration time a straggler imposes, seconds.")
    Double stragglerTime;

    @Option(names = "--json", description = "Write the frontier and the chosen point to this JSON file.")
    Path json;

    @Option(names = "--plot", description = "Draw time against energy with the chosen point (.svg or .png).")
    Path plot;

    @Option(names = "--report", description = "Write a self-contained HTML report of the frontier to this file.")
    Path report;

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
        for (var o : new Object[][] {{"--json", json}, {"--plot", plot}, {"--report", report}}) {
            if (o[1] != null) {
                io.github.alpa4j.engine.io.OutputFile.check((String) o[0], (Path) o[1], profile);
            }
        }
        boolean fromModel = spec.commandLine().getParseResult().hasMatchedOption("--model");
        if (fromModel == (profile != null)) {
            throw new EnergyInputException("give either --profile FILE.csv (measured) or --model gpt|mlp (predicted by the energy model)");
        }
        if (!fromModel && gpu != null) {
            throw new EnergyInputException("--gpu describes the energy model's GPU; it goes with --model, not --profile");
        }
        checkFlags(fromModel);
        ProfileSource source;
        double watts;
        double tau;
        if (fromModel) {
            ModelProfile mp = ModelProfile.of(model, cluster, hosts, mesh, stages, microbatches, gpu);
            source = new ProfileSource.Given(mp.profile(), mp.description());
            watts = blockingWatts != null ? blockingWatts : mp.gpu().staticWatts();
            tau = tauMs != null ? tauMs / 1000 : mp.suggestedQuantumSeconds();
        } else {
            source = new ProfileSource.CsvFile(profile);
            watts = blockingWatts != null ? blockingWatts : FrontierRequest.DEFAULT_BLOCKING_WATTS;
            tau = tauMs != null ? tauMs / 1000 : FrontierRequest.DEFAULT_TAU_SECONDS;
        }
        FrontierRequest request = new FrontierRequest(source, stages, microbatches,
                PipelineSchedule.fromCliName(schedule), watts, tau, d,
                stragglerTime == null ? OptionalDouble.empty() : OptionalDouble.of(stragglerTime),
                Optional.ofNullable(json), Optional.ofNullable(plot), rows);
        FrontierResult r = FrontierReport.run(request, OutputFile::write, new SolveProgress(spec.commandLine().getErr()));
        spec.commandLine().getOut().print(r.table());
        json().ifPresent(p -> spec.commandLine().getOut().println("frontier written to " + p));
        if (plot != null) {
            spec.commandLine().getOut().println("plot written to " + plot);
        }
        if (report != null) {
            io.github.alpa4j.engine.report.Reports.frontier(r.frontier(), r.chosen(), "Energy frontier: " + stages + " stages, "
                    + microbatches + " microbatches (" + schedule + ")").write(report);
            spec.commandLine().getOut().println("report written to " + report);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Refuses flags that do nothing with the profile's source, and output paths that cannot be written, before any work. */
    private void checkFlags(boolean fromModel) {
        var parsed = spec.commandLine().getParseResult();
        if (fromModel) {
            InapplicableFlags.model(parsed, model);
        } else {
            for (String f : java.util.List.of("--cluster", "--hosts", "--mesh", "--batch", "--layers", "--heads", "--hidden", "--seq", "--vocab",
                    "--depth", "--width", "--in-dim", "--out-dim", "--activation")) {
                if (parsed.hasMatchedOption(f)) {
                    throw new EnergyInputException(f + " does nothing with --profile (it describes a --model)");
                }
            }
        }
        if (profile != null && !java.nio.file.Files.isRegularFile(profile)) {
            throw new EnergyInputException("--profile " + profile + ": " + (java.nio.file.Files.exists(profile) ? "not a file" : "no such file"));
        }
        Path clusterFile = fromModel && cluster.endsWith(".json") ? Path.of(cluster) : null;
        if (json != null) {
            OutputFile.check("--json", json, profile, clusterFile);
        }
        if (plot != null) {
            String name = plot.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (!name.endsWith(".svg") && !name.endsWith(".png")) {
                throw new EnergyInputException("--plot " + plot + ": the name must end in .svg or .png");
            }
            OutputFile.check("--plot", plot, profile, clusterFile, json);
        }
    }

    private Optional<Path> json() {
        return Optional.ofNullable(json);
    }
}
