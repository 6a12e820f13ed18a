package io.github.alpa4j.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.validate.ValidationCase;
import io.github.alpa4j.engine.validate.ValidationPlot;
import io.github.alpa4j.engine.validate.ValidationReport;
import io.github.alpa4j.engine.validate.Validator;
import io.github.alpa4j.planner.cluster.Cluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alpa4j validate}: the cost model's predictions against runs of the validation suite on simulated CPU devices or a GPU. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Plan and run a suite of models and plans on simulated CPU devices (or logical devices on GPU 0) and set each"
                + " plan's predicted iteration, stage and collective times beside the measured ones.")
public class ValidateCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "cpu",
            description = "Where the suite runs: cpu (simulated devices, one thread each) or cuda (logical devices sharing GPU 0,"
                    + " fp32; give --cluster a profile of them from 'alpa4j profile --backend cuda') (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--cluster", defaultValue = "cpu",
            description = "The cost model: cpu (this machine's profile), cpu-analytic, or a profile file (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--mesh", description = "Only the cases on this mesh (1x2, 2x1 or 2x2).")
    String mesh;

    @Option(names = "--steps", defaultValue = "8", description = "Training steps per case after the JIT settles, and more until they fill half a second; the first is"
            + " left out (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--json", description = "Write every case and the summary to this JSON file.")
    Path json;

    @Option(names = "--plot", description = "Draw predicted against measured iteration time to this SVG file.")
    Path plot;

    @Option(names = "--report", description = "Write a self-contained HTML report of the validation to this file.")
    Path report;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (steps < 3) {
            throw new UserInputException("--steps must be at least 3 (one of warm-up, then the ones measured), got " + steps);
        }
        Validator.Devices devices = switch (backend) {
            case "cpu" -> Validator.Devices.CPU;
            case "cuda" -> Validator.Devices.CUDA;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
        Path clusterFile = cluster.endsWith(".json") ? Path.of(cluster) : null;
        if (json != null) {
            OutputFile.check("--json", json, clusterFile);
        }
        if (plot != null) {
            OutputFile.check("--plot", plot, clusterFile, json);
        }
        if (report != null) {
            OutputFile.check("--report", report);
        }
        List<ValidationCase> cases = ValidationCase.suite().stream().filter(c -> mesh == null || c.mesh().equals(mesh)).toList();
        if (cases.isEmpty()) {
            throw new UserInputException("the suite has no case on mesh " + mesh + "; use 1x2, 2x1 or 2x2");
        }
        if (devices == Validator.Devices.CUDA) {
            io.github.alpa4j.engine.runtime.Backends.requireGpu();
        }
        Cluster c = Clusters.resolve(cluster, null);
        List<Validator.Result> results = new ArrayList<>();
        for (ValidationCase vc : cases) {
            Validator.Result r = Validator.run(vc, c, steps, seed, devices);
            out.printf("%-26s predicted %.3f ms, measured %.3f ms%n", vc, 1e3 * r.predicted(), 1e3 * r.measured());
            out.flush();
            results.add(r);
        }
        ValidationReport summary = new ValidationReport(cluster, results, devices);
        out.println();
        out.print(summary.render());
        if (json != null) {
            try {
                OutputFile.write(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary.json()) + "\n");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out.println("validation written to " + json);
        }
        if (plot != null) {
            ValidationPlot.write(plot, summary);
            out.println("plot written to " + plot);
        }
        if (report != null) {
            io.github.alpa4j.engine.report.Reports.validation(summary).write(report);
            out.println("report written to " + report);
        }
        return 0;
    }
}
