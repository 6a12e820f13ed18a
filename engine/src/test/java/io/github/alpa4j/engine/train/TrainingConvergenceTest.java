package io.github.alpa4j.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.data.TeacherSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.runtime.CpuBackend;
import io.github.alpa4j.engine.runtime.SingleDeviceExecutor;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The single-device trainer learns: the GPT nears the Markov entropy floor, the MLP fits its teacher. */
class TrainingConvergenceTest {

    static TrainResult train(Model m, io.github.alpa4j.engine.data.DataSource data, Optimizer opt, long steps, long seed) {
        var g = Autodiff.training(m.forward(), "loss", opt);
        var runner = new SingleDeviceExecutor<>(g, new CpuBackend(), seed, Set.of("loss"));
        return Trainer.train(m, runner, "cpu", data, steps, s -> { });
    }

    @Test
    void gptReachesWithinTenPercentOfTheEntropyFloor() {
        GptConfig c = GptConfig.tiny(16);
        Model m = Models.gpt(c);
        MarkovSource data = new MarkovSource(c.vocab(), c.batch(), c.seq(), 3, m.dataInput(), m.labelInput());
        TrainResult r = train(m, data, Optimizer.AdamW.withLr(3e-3), 250, 3);
        double floor = data.entropyRate();
        assertThat(r.firstLoss()).as("starts near ln(vocab)").isGreaterThan(1.3 * floor);
        assertThat(r.meanLastLoss(20)).as("mean loss of the last 20 steps vs floor %.4f", floor).isLessThan(1.10 * floor);
        assertThat(r.meanLastLoss(20)).as("no model beats the entropy rate by more than batch noise").isGreaterThan(0.95 * floor);
    }

    @Test
    void mlpRegressionFallsBelowOnePercentOfItsInitialLoss() {
        MlpConfig c = new MlpConfig(16, List.of(64, 64), 4, Activation.RELU, 64);
        Model m = Models.mlp(c);
        TeacherSource data = new TeacherSource(16, 4, 64, 5, m.dataInput(), m.labelInput());
        TrainResult r = train(m, data, Optimizer.AdamW.withLr(1e-2), 2000, 5);
        assertThat(r.meanLastLoss(20)).isLessThan(0.01 * r.firstLoss());
    }

    @Test
    void sgdWithMomentumAlsoTrains() {
        MlpConfig c = new MlpConfig(16, List.of(64), 4, Activation.GELU, 64);
        Model m = Models.mlp(c);
        TeacherSource data = new TeacherSource(16, 4, 64, 6, m.dataInput(), m.labelInput());
        TrainResult r = train(m, data, new Optimizer.Sgd(0.05, 0.9, 0), 300, 6);
        assertThat(r.meanLastLoss(20)).isLessThan(0.1 * r.firstLoss());
    }

    @Test
    void runsAreDeterministicForASeed() {
        Model m = Models.gpt(new GptConfig(1, 2, 16, 8, 8, 4));
        MarkovSource data = new MarkovSource(8, 4, 8, 9, m.dataInput(), m.labelInput());
        TrainResult a = train(m, data, Optimizer.AdamW.withLr(1e-3), 5, 9);
        TrainResult b = train(m, data, Optimizer.AdamW.withLr(1e-3), 5, 9);
        assertThat(a.steps().stream().map(StepMetrics::loss).toList())
                .isEqualTo(b.steps().stream().map(StepMetrics::loss).toList());
    }
}
