package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.GpuStepBenchmark;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import io.github.alpa4j.engine.runtime.StepBenchmark;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alpa4j bench-gpu} (hidden): GPT training-step throughput on one GPU at each matmul
 * precision, with the achieved TFLOP/s of the step's products against the same shapes alone and
 * the card's peak. Prints one {@code BENCH|engine|...} line per precision for
 * {@code scripts/gpu-check.sh}, then a table. With {@code --backend cpu} (the check's dry run) it
 * times the same steps on the CPU backend, fp32 only, without the products' rates. Runnable on its own:
 * {@code java -cp alpa4j.jar io.github.alpa4j.engine.cli.BenchGpuCommand}.
 */
@Command(name = "bench-gpu", hidden = true, mixinStandardHelpOptions = true,
        description = "GPT training-step throughput and matmul TFLOP/s on one GPU, per matmul precision.")
public class BenchGpuCommand implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "12", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "12", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--hidden", defaultValue = "768", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seq", defaultValue = "1024", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--vocab", defaultValue = "1024", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--precision", defaultValue = "fp32,tf32,bf16", split = ",",
            description = "Matmul precisions to measure, in order (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "3e-4", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of weights and data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--gpu", defaultValue = "0", description = "GPU ordinal (default: ${DEFAULT-VALUE}).")
    int gpu;

    @Option(names = "--backend", defaultValue = "cuda",
            description = "cuda, or cpu for the GPU check's dry run: step time only, fp32 (default: ${DEFAULT-VALUE}).")
    String backend;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command on its own (until Main registers it), with Main's handling of user errors. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cli = new CommandLine(new BenchGpuCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (Main.isUserError(ex)) {
                err.println("alpa4j: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (steps < 1 || warmup < 1) {
            throw new UserInputException("--steps and --warmup must be at least 1");
        }
        List<MatmulPrecision> ps = precisions.stream().map(MatmulPrecision::parse).toList();
        boolean cpu = switch (backend.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> true;
            case "cuda", "gpu" -> false;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
        if (cpu && !ps.equals(List.of(MatmulPrecision.FP32))) {
            throw new UserInputException("--backend cpu multiplies in fp32 only: use --precision fp32");
        }
        if (!cpu) {
            Backends.requireGpu();
        }
        GptConfig c = new GptConfig(layers, heads, hidden, seq, vocab, batch);
        Model m = Models.gpt(c);
        Graph g = DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", Optimizer.AdamW.withLr(lr)).keepOutputs(List.of("loss")));
        out.printf("GPT %d layers, hidden %d, %d heads, seq %d, vocab %d, batch %d: %,d parameters, %,d tokens per step, AdamW%n",
                layers, hidden, heads, seq, vocab, batch, c.parameterCount(), m.tokensPerStep());
        out.flush();
        if (cpu) {
            MarkovSource data = new MarkovSource(vocab, batch, seq, seed, m.dataInput(), m.labelInput());
            StepBenchmark.Steps r = StepBenchmark.onCpu(g, data, m.tokensPerStep(), warmup, steps, seed);
            out.println(r.cpuLine());
            out.printf(java.util.Locale.ROOT, "%nCPU backend, fp32: step %.1f ms, %,.0f tokens/s, first loss %.4f%n", r.stepMillis(),
                    r.tokensPerSecond(), r.firstLoss());
            return 0;
        }
        List<GpuStepBenchmark.Result> results = new ArrayList<>();
        for (MatmulPrecision p : ps) {
            MarkovSource data = new MarkovSource(vocab, batch, seq, seed, m.dataInput(), m.labelInput());
            GpuStepBenchmark.Result r = GpuStepBenchmark.run(m, g, data, p, warmup, steps, seed, gpu);
            results.add(r);
            out.println(r.line());
            out.flush();
        }
        out.println();
        out.println("| precision | step ms | tokens/s | matmuls in step: TFLOP/s | same shapes alone: TFLOP/s | 8192³ peak TFLOP/s | matmul share of step | first loss |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (GpuStepBenchmark.Result r : results) {
            out.printf(java.util.Locale.ROOT, "| %s | %.1f | %,.0f | %.1f | %.1f | %.1f | %.0f %% | %.4f |%n", r.precision().code(), r.stepMillis(),
                    r.tokensPerSecond(), r.matmulTflops(), r.aloneTflops(), r.peakTflops(), 100 * r.matmulShare(), r.firstLoss());
        }
        return 0;
    }
}
