package io.github.alpa4j.engine.train;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The training loop: feed a batch, run a step, record loss and throughput; stop between steps when
 * asked, or when the loss diverges. The batch of step s is {@code data.batch(s)}, so a run resumed at
 * step s sees the batches an uninterrupted one would.
 */
public final class Trainer {
    /** Hears about every step as it finishes (progress bars, logs, checkpoints). */
    @FunctionalInterface
    public interface Listener {
        void onStep(StepMetrics m);
    }

    private Trainer() {
    }

    /**
     * {@code steps} fresh steps; a non-finite loss throws {@link TrainingDivergedException}.
     */
    public static TrainResult train(Model model, StepRunner runner, String backendName, DataSource data, long steps, Listener listener) {
        TrainResult r = train(model, runner, backendName, data,
                TrainOptions.of(steps).divergenceFactor(Double.POSITIVE_INFINITY).build(), listener);
        if (r.ending() instanceof Ending.Diverged d) {
            throw new TrainingDivergedException(d.reason() + "; lower the learning rate (--lr)");
        }
        return r;
    }

    /** The run {@code options} describe; its result says how it ended. */
    public static TrainResult train(Model model, StepRunner runner, String backendName, DataSource data, TrainOptions options,
                                    Listener listener) {
        List<StepMetrics> metrics = new ArrayList<>(options.history());
        Ending ending = new Ending.Completed();
        for (long s = options.startStep(); s < options.steps(); s++) {
            if (options.stopRequested().getAsBoolean()) {
                ending = new Ending.Stopped();
                break;
            }
            Map<String, Tensor> batch = data.batch(s);
            long t0 = System.nanoTime();
            Map<String, Tensor> out = runner.step(batch);
            double secs = (System.nanoTime() - t0) * 1e-9;
            double loss = out.get("loss").item();
            StepMetrics m = new StepMetrics(s, loss, secs, model.tokensPerStep() / secs, runner.lastStepCollectiveBytes(),
                    runner.peakBytesPerDevice(), runner.lastStepLossScale(), runner.lastStepSkipped());
            metrics.add(m);
            Optional<String> diverged = divergence(metrics, options.divergenceFactor());
            if (diverged.isPresent() && !options.allowDivergence()) {
                ending = new Ending.Diverged(diverged.get());
                break;
            }
            listener.onStep(m);
        }
        return result(model, runner, backendName, data, metrics, ending);
    }

    /** The record of a run so far: its steps' metrics and the runner's totals. */
    public static TrainResult result(Model model, StepRunner runner, String backendName, DataSource data, List<StepMetrics> metrics,
                                     Ending ending) {
        double share = runner.stepNanos() > 0 ? (double) runner.matmulNanos() / runner.stepNanos() : 0;
        double comm = runner.stepNanos() > 0 ? (double) runner.collectiveNanos() / runner.stepNanos() : 0;
        return new TrainResult(model.name(), backendName, data.describe(), model.forward().parameterCount(), metrics,
                data.lossFloor(), runner.peakBytes(), share, comm, ending);
    }

    /** Why the last loss counts as diverged: not finite, or above the first by more than {@code factor}. */
    static Optional<String> divergence(List<StepMetrics> metrics, double factor) {
        StepMetrics last = metrics.getLast();
        if (!Double.isFinite(last.loss())) {
            return Optional.of("loss became " + last.loss() + " at step " + last.step());
        }
        double first = metrics.getFirst().loss();
        if (first > 0 && last.loss() > factor * first) {
            return Optional.of(String.format(Locale.ROOT, "loss rose from %.4g at step %d to %.4g at step %d, more than %s times the first",
                    first, metrics.getFirst().step(), last.loss(), last.step(), factor == Math.rint(factor) ? String.valueOf((long) factor) : factor));
        }
        return Optional.empty();
    }
}
