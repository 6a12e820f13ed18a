package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.ir.json.GraphJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A GPT training run the GPU tests compare across backends: the model, its training step (AdamW,
 * only the loss kept), Markov data, the seed. {@link #fingerprint()} names everything that decides
 * the losses, so a stored reference made for another model or step is recognised as stale.
 */
record GptRun(String name, GptConfig config, double lr, long seed, int steps) {

    /** The foundation's small GPT: 2 layers, hidden 64, 4 heads, seq 32, vocabulary 16, batch 16. */
    static GptRun foundation() {
        return new GptRun("gpt-foundation", GptConfig.tiny(16), 1e-3, 11, 20);
    }

    /** GPT-2 small's body: 12 layers, hidden 768, 12 heads, seq 1024, batch 8; vocabulary 1024. */
    static GptRun twelveLayer() {
        return new GptRun("gpt-12x768", new GptConfig(12, 12, 768, 1024, 1024, 8), 3e-4, 11, 20);
    }

    /**
     * This run cut to its first step: its loss is the forward pass's, before any update, so the CPU
     * can afford it for the 12-layer GPT (minutes) where it cannot afford the 20 steps (hours).
     */
    GptRun firstStep() {
        return new GptRun(name + "-first-step", config, lr, seed, 1);
    }

    Model model() {
        return Models.gpt(config);
    }

    Optimizer optimizer() {
        return Optimizer.AdamW.withLr(lr);
    }

    /** The training step with only the loss fetched (what the planner and the mesh runtime take). */
    Graph trainingGraph() {
        return DeadCodeElimination.apply(Autodiff.training(model().forward(), "loss", optimizer()).keepOutputs(List.of("loss")));
    }

    MarkovSource data() {
        Model m = model();
        return new MarkovSource(config.vocab(), config.batch(), config.seq(), seed, m.dataInput(), m.labelInput());
    }

    /** SHA-256 of the training graph, the data, the seed and the step count. */
    String fingerprint() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(GraphJson.toJson(trainingGraph()).getBytes(StandardCharsets.UTF_8));
            d.update((data().describe() + "|seed " + seed + "|steps " + steps).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** The loss of each step. */
    List<Double> losses(StepRunner runner) {
        MarkovSource data = data();
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            out.add((double) runner.step(data.batch(s)).get("loss").item());
        }
        return out;
    }
}
