package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import java.util.List;
import picocli.CommandLine.ParseResult;

/**
 * Flags given explicitly that would do nothing in the run the other flags chose: refused in one line
 * rather than ignored, so a user never believes a flag took effect when it did not.
 */
final class InapplicableFlags {
    static final List<String> GPT_FLAGS = List.of("--layers", "--heads", "--hidden", "--seq", "--vocab");
    static final List<String> MLP_FLAGS = List.of("--depth", "--width", "--in-dim", "--out-dim", "--activation");
    static final List<String> PIPELINE_FLAGS = List.of("--microbatches", "--schedule", "--pipeline-layers", "--logical-shapes");
    private static final List<String> PLANNING_FLAGS = List.of("--cluster", "--hosts", "--memory-budget", "--zero-compute-cost",
            "--time-limit", "--save-plan", "--intra-op-only");

    private InapplicableFlags() {
    }

    /** Refuses the flags of {@code train} that do nothing in {@code mode}. */
    static void refuse(TrainCommand c, RunMode mode) {
        ParseResult p = c.spec.commandLine().getParseResult();
        model(p, c.model);
        if (p.hasMatchedOption("--momentum") && !c.optimizer.optimizer.equals("sgd")) {
            throw new UserInputException("--momentum does nothing with --optimizer " + c.optimizer.optimizer + " (it is SGD's)");
        }
        if (p.hasMatchedOption("--energy-sample-ms") && !c.energy) {
            throw new UserInputException("--energy-sample-ms does nothing without --energy");
        }
        if (p.hasMatchedOption("--divergence-factor") && c.allowDivergence) {
            throw new UserInputException("--divergence-factor does nothing with --allow-divergence");
        }
        boolean launched = mode instanceof RunMode.MultiProcess;
        if (!launched) {
            given(p, List.of("--rendezvous-timeout"), "without a launcher (alpa4j launch, srun, mpirun)");
        }
        switch (mode instanceof RunMode.MultiProcess mp ? mp.inner() : mode) {
            case RunMode.SingleDevice s -> {
                if (p.hasMatchedOption("--plan")) {
                    throw new UserInputException("--plan " + c.meshOptions.method + " needs a --mesh ROWSxCOLS (or --pipeline) to plan over");
                }
                given(p, PIPELINE_FLAGS, "without a pipeline (--pipeline, or --plan megatron:dp=D,tp=T,pp=P)");
                given(p, PLANNING_FLAGS, "on one device: it plans nothing (give --mesh ROWSxCOLS to plan)");
                given(p, List.of("--devices"), "on one device (give --mesh ROWSxCOLS with one device per listed GPU)");
            }
            case RunMode.Mesh m -> {
                given(p, PIPELINE_FLAGS, "without a pipeline (--pipeline, or --plan megatron:dp=D,tp=T,pp=P)");
                if (c.intraOpOnly && !c.meshOptions.method.equals("auto")) {
                    throw new UserInputException("--intra-op-only does nothing with --plan " + c.meshOptions.method + " (it applies to --plan auto)");
                }
            }
            case RunMode.Pipeline pl -> {
            }
            case RunMode.MultiProcess mp -> throw new IllegalStateException("a multi-process run wraps another multi-process run");
        }
    }

    /** Refuses the size flags of one model family (GPT, MoE, MLP, Wide-ResNet) given with another. */
    static void model(ParseResult p, ModelOptions model) {
        if (model.isWresnet()) {
            given(p, GPT_FLAGS, "with --model wresnet (it sizes a GPT)");
            given(p, MLP_FLAGS.subList(1, MLP_FLAGS.size()), "with --model wresnet (it sizes an MLP)");
            given(p, MoeOptions.FLAGS, "with --model wresnet (it sizes a mixture of experts: --model moe)");
            return;
        }
        given(p, WideResNetOptions.FLAGS, "with --model " + model.model + " (it sizes a Wide-ResNet)");
        if (model.isGpt()) {
            given(p, MLP_FLAGS, "with --model " + model.model + " (it sizes an MLP)");
            if (!model.isMoe()) {
                given(p, MoeOptions.FLAGS, "with --model gpt (it sizes a mixture of experts: --model moe)");
            }
        } else {
            given(p, MoeOptions.FLAGS, "with --model mlp (it sizes a mixture of experts: --model moe)");
            given(p, GPT_FLAGS, "with --model mlp (it sizes a GPT)");
        }
    }

    private static void given(ParseResult p, List<String> flags, String why) {
        for (String f : flags) {
            if (p.hasMatchedOption(f)) {
                throw new UserInputException(f + " does nothing " + why);
            }
        }
    }
}
