package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.data.TeacherSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.engine.runtime.MemoryEstimate;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.stage.RematMode;
import java.util.Collections;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Flags that pick and size a model; shared by the commands that build one. */
public final class ModelOptions {
    @Option(names = "--model", defaultValue = "gpt", description = "Model: gpt, moe (the GPT with mixture-of-experts MLPs in"
            + " every other block; see --experts), mlp or wresnet (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--layers", defaultValue = "2", description = "GPT: transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "GPT: attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--hidden", defaultValue = "64", description = "GPT: hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seq", defaultValue = "32", description = "GPT: sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--vocab", defaultValue = "16", description = "GPT: vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--depth", description = "MLP: layers (default: 3); wresnet: weighted layers, 3 per bottleneck block + 2"
            + " (default: 50).")
    Integer depthFlag;

    /** --depth, or the model's default. */
    int depth() {
        return depthFlag != null ? depthFlag : isWresnet() ? WideResNetOptions.DEFAULT_DEPTH : 3;
    }

    @Mixin
    WideResNetOptions wresnet = new WideResNetOptions();

    @Mixin
    MoeOptions moe = new MoeOptions();

    @Option(names = "--width", defaultValue = "64", description = "MLP: hidden width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--in-dim", defaultValue = "16", description = "MLP: input features (default: ${DEFAULT-VALUE}).")
    int inDim;

    @Option(names = "--out-dim", defaultValue = "4", description = "MLP: regression targets (default: ${DEFAULT-VALUE}).")
    int outDim;

    @Option(names = "--activation", defaultValue = "relu", description = "MLP: relu or gelu (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--batch", description = "Global batch size (default: 16 sequences for gpt, 64 samples for mlp).")
    Integer batch;

    @Option(names = "--precision", defaultValue = "fp32", description = "Arithmetic: fp32, or bf16 or fp16 mixed precision"
            + " (f32 master weights, gradients' sums and optimizer states; fp16 with dynamic loss scaling); train on"
            + " --backend cuda also takes tf32 (fp32 with TF32 tensor-core products) (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--remat", defaultValue = "none", description = "Recompute each layer's forward values in its backward"
            + " pass (activation checkpointing): none, layers, or auto, where memory requires it (per stage in a pipeline; for one"
            + " plan, if it does not fit otherwise; never on one device) (default: ${DEFAULT-VALUE}).")
    String remat;

    RematMode remat() {
        try {
            return RematMode.parse(remat);
        } catch (PlanningException e) {
            throw new UserInputException(e.getMessage() + " (--remat)", e);
        }
    }

    /** The graph's arithmetic; tf32 is fp32 in the graph (only CUDA's products differ). */
    Precision precision() {
        if (isTf32()) {
            return Precision.FP32;
        }
        Precision p = Precision.byCode(precision);
        if (p == null) {
            throw new UserInputException("unknown precision '" + precision + "'; use one of " + Precision.codes() + " (or tf32 for"
                    + " train on --backend cuda)");
        }
        return p;
    }

    /** Whether --precision asks for CUDA's TF32 products (an fp32 graph). */
    boolean isTf32() {
        return precision.trim().equalsIgnoreCase("tf32");
    }

    int batchSize() {
        return batch != null ? batch : isGpt() ? 16 : isWresnet() ? 8 : 64;
    }

    boolean isWresnet() {
        return model.equals("wresnet");
    }

    boolean isGpt() {
        return switch (model) {
            case "gpt", "moe" -> true;
            case "mlp", "wresnet" -> false;
            default -> throw new UserInputException("--model: unknown model '" + model + "'; use --model gpt, moe, mlp or wresnet");
        };
    }

    /** Whether the model is the mixture of experts (a GPT whose sizing flags it shares). */
    boolean isMoe() {
        return isGpt() && model.equals("moe");
    }

    /** The GPT the flags size, at {@code batch} sequences. */
    private GptConfig gptConfig(int batch) {
        return new GptConfig(layers, heads, hidden, seq, vocab, batch);
    }

    Model build() {
        return build(batchSize());
    }

    /** The model at {@code batch} samples per step (a pipeline's microbatch, say). */
    Model build(int batch) {
        positive("--batch", "batch size", batch);
        if (isWresnet()) {
            return wresnet.build(depth(), batch, precision());
        }
        if (isGpt()) {
            positive("--layers", "layers", layers);
            positive("--heads", "heads", heads);
            positive("--hidden", "hidden size", hidden);
            positive("--seq", "sequence length", seq);
            positive("--vocab", "vocabulary size", vocab);
            if (hidden % heads != 0) {
                throw new UserInputException("--heads " + heads + " and --hidden " + hidden + ": heads (" + heads
                        + ") must divide the hidden size (" + hidden + ")");
            }
            ModelSize.gpt(this, batch);
            if (isMoe()) {
                return moe.build(gptConfig(batch), precision());
            }
            return Models.gpt(gptConfig(batch), precision());
        }
        int depth = depth();
        if (depth < 1) {
            throw new UserInputException("--depth: MLP depth must be at least 1, got " + depth);
        }
        positive("--width", "hidden width", width);
        positive("--in-dim", "input dimension", inDim);
        positive("--out-dim", "output dimension", outDim);
        ModelSize.mlp(this, batch);
        return Models.mlp(new MlpConfig(inDim, Collections.nCopies(depth - 1, width), outDim, activation(), batch), precision());
    }

    /** Refuses a size that is not positive, naming its flag. */
    private static void positive(String flag, String what, long v) {
        if (v <= 0) {
            throw new UserInputException(flag + ": " + what + " must be positive, got " + v);
        }
    }

    private Activation activation() {
        return switch (activation) {
            case "relu" -> Activation.RELU;
            case "gelu" -> Activation.GELU;
            default -> throw new UserInputException("--activation: unknown activation '" + activation + "'; use relu or gelu");
        };
    }

    /** The model's training step: forward, backward (loss-scaled in fp16) and {@code opt}'s update. */
    Graph trainingStep(Model m, Optimizer opt) {
        return Autodiff.training(m.forward(), "loss", opt, precision().lossScaling());
    }

    /** The most nodes a training graph may have (about 2,900 blocks of the GPT): planning and running stay within minutes. */
    static final long MAX_GRAPH_NODES = 500_000;

    /**
     * Refuses, before anything is built, a model whose training graph under {@code opt} would exceed
     * {@link #MAX_GRAPH_NODES}: the graph grows by the same nodes per layer, so two tiny models tell its size.
     */
    void checkGraphSize(Optimizer opt) {
        if (isWresnet()) {
            return; // its depth is bounded by WideResNetConfig.MAX_DEPTH
        }
        int repeats = isGpt() ? layers : depth();
        if (repeats <= 2) {
            return;
        }
        long one = tinyTrainingNodes(1, opt);
        long perLayer = tinyTrainingNodes(2, opt) - one;
        long nodes = one + perLayer * (repeats - 1L);
        if (nodes > MAX_GRAPH_NODES) {
            throw new UserInputException(String.format(Locale.ROOT, "--%s %d makes a training graph of about %,d nodes; alpa4j builds"
                    + " graphs of at most %,d (about %,d layers of this model)", isGpt() ? "layers" : "depth", repeats, nodes,
                    MAX_GRAPH_NODES, (MAX_GRAPH_NODES - one) / perLayer + 1));
        }
    }

    /** Nodes of the training graph of this kind of model with {@code repeats} layers and every size 1. */
    private long tinyTrainingNodes(int repeats, Optimizer opt) {
        Model m = isMoe() ? moe.tiny(repeats, precision()) : isGpt() ? Models.gpt(new GptConfig(repeats, 1, 1, 1, 2, 1), precision())
                : Models.mlp(new MlpConfig(1, Collections.nCopies(repeats - 1, 1), 1, activation(), 1), precision());
        return trainingStep(m, opt).size();
    }

    /** The data source that matches the model: Markov tokens for the GPT, a teacher network for the MLP. */
    DataSource data(Model m, long seed) {
        if (isWresnet()) {
            return wresnet.data(m, batchSize(), seed);
        }
        if (isGpt()) {
            if (vocab < 2) {
                throw new UserInputException("--vocab must be at least 2 to train on: a chain over one token has nothing to predict");
            }
            // the chain keeps its vocab x vocab transition table in doubles
            MemoryEstimate.require(8L * vocab * vocab, false, "the Markov data's transition table over " + vocab + " tokens");
            return new MarkovSource(vocab, batchSize(), seq, seed, m.dataInput(), m.labelInput());
        }
        return new TeacherSource(inDim, outDim, batchSize(), seed, m.dataInput(), m.labelInput());
    }

    /** The model's name and sizes, in the order the metrics JSON and a checkpoint's run identity list them. */
    java.util.Map<String, Object> sizes() {
        java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("model", model);
        if (isWresnet()) {
            wresnet.sizes(c, depth());
        } else if (isGpt()) {
            c.put("layers", layers);
            c.put("heads", heads);
            c.put("hidden", hidden);
            c.put("seq", seq);
            c.put("vocab", vocab);
            if (isMoe()) {
                c.putAll(moe.sizes(gptConfig(batchSize())));
            }
        } else {
            c.put("depth", depth());
            c.put("width", width);
            c.put("in_dim", inDim);
            c.put("out_dim", outDim);
        }
        return c;
    }
}
