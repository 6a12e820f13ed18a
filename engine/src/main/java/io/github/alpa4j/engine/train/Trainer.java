package io.github.alpa4j.engine.train;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The training loop: feed a batch, run a step, record loss and throughput. */
public final class Trainer {
    /** Hears about every step as it finishes (progress bars, logs). */
    @FunctionalInterface
    public interface Listener {
        void onStep(StepMetrics m);
    }

    private Trainer() {
    }

    public static TrainResult train(Model model, StepRunner runner, String backendName, DataSource data, long steps, Listener listener) {
        List<StepMetrics> metrics = new ArrayList<>();
        for (long s = 0; s < steps; s++) {
            Map<String, Tensor> batch = data.batch(s);
            long t0 = System.nanoTime();
            Map<String, Tensor> out = runner.step(batch);
            double secs = (System.nanoTime() - t0) * 1e-9;
            double loss = out.get("loss").item();
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("loss became " + loss + " at step " + s
                        + "; lower the learning rate (--lr)");
            }
            StepMetrics m = new StepMetrics(s, loss, secs, model.tokensPerStep() / secs, runner.lastStepCollectiveBytes(),
                    runner.peakBytesPerDevice(), runner.lastStepLossScale(), runner.lastStepSkipped());
            metrics.add(m);
            listener.onStep(m);
        }
        double share = runner.stepNanos() > 0 ? (double) runner.matmulNanos() / runner.stepNanos() : 0;
        double comm = runner.stepNanos() > 0 ? (double) runner.collectiveNanos() / runner.stepNanos() : 0;
        return new TrainResult(model.name(), backendName, data.describe(), model.forward().parameterCount(), metrics,
                data.lossFloor(), runner.peakBytes(), share, comm);
    }
}
