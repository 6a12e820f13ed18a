package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.MoeConfig;
import io.github.alpa4j.engine.model.MoeModel;
import io.github.alpa4j.ir.Precision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The mixture of experts' flags (--model moe); the GPT flags size the rest of the model. */
public final class MoeOptions {
    static final List<String> FLAGS = List.of("--experts", "--expert-capacity", "--expert-group", "--aux-loss-weight", "--mlp-factor");

    @Option(names = "--mlp-factor", defaultValue = "4", description = "MoE: width of every MLP (dense and expert) as a multiple of"
            + " --hidden; Alpa's MoE benchmark uses 8 (default: ${DEFAULT-VALUE}).")
    int mlpFactor;

    @Option(names = "--experts", defaultValue = "4", description = "MoE: experts per expert layer (default: ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--expert-capacity", defaultValue = "1.0", description = "MoE: capacity factor; each expert takes"
            + " round(factor x 2 x group / experts) tokens of a group, the rest are dropped (1.0 is GShard's and Alpa's"
            + " C = 2S/E) (default: ${DEFAULT-VALUE}).")
    double capacityFactor;

    @Option(names = "--expert-group", description = "MoE: tokens per routing group (the batch's tokens are cut into groups of"
            + " this many; default: --seq).")
    Integer group;

    @Option(names = "--aux-loss-weight", defaultValue = "0.01", description = "MoE: weight of GShard's load-balancing loss"
            + " in the training loss (default: ${DEFAULT-VALUE}).")
    double auxWeight;

    MoeConfig config(GptConfig gpt) {
        return new MoeConfig(gpt, experts, group != null ? group : gpt.seq(), capacityFactor, auxWeight, mlpFactor);
    }

    Model build(GptConfig gpt, Precision precision) {
        MoeConfig c = config(gpt);
        long slots = (long) gpt.batch() * gpt.seq() * c.experts() * c.capacity();
        if (slots > ModelSize.MAX_TENSOR_ELEMENTS) {
            throw new io.github.alpa4j.engine.UserInputException(String.format(java.util.Locale.ROOT, "--batch %d x --seq %d x"
                    + " --experts %d x capacity %d (the dispatch mask) = %,d elements; one tensor holds at most %,d: use smaller"
                    + " sizes, or more microbatches", gpt.batch(), gpt.seq(), c.experts(), c.capacity(), slots,
                    ModelSize.MAX_TENSOR_ELEMENTS));
        }
        return MoeModel.build(c, precision);
    }

    /** The model with {@code repeats} blocks and every size at its least (to count a training graph's nodes). */
    Model tiny(int repeats, Precision precision) {
        return MoeModel.build(new MoeConfig(new GptConfig(repeats, 1, 1, 1, 2, 1), 2, 1, 1.0, auxWeight, 1), precision);
    }

    Map<String, Object> sizes(GptConfig gpt) {
        MoeConfig c = config(gpt);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experts", c.experts());
        m.put("expert_group", c.groupSize());
        m.put("expert_capacity_factor", c.capacityFactor());
        m.put("expert_capacity", c.capacity());
        m.put("aux_loss_weight", c.auxWeight());
        m.put("mlp_factor", c.mlpFactor());
        return m;
    }
}
