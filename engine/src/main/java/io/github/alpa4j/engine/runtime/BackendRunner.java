package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A step runner together with the devices it runs on, closed together in the right order: the
 * runner's devices (each waits for its queued work), then what they share (collectives, the GPU's
 * kernel modules). What {@link Backends} returns. For a loss-scaled (fp16) step it keeps the
 * {@link LossScaler}: feeds each step the scale and its inverse and moves the scale after it.
 */
public final class BackendRunner implements StepRunner, AutoCloseable {
    private final StepRunner runner;
    private final String description;
    private final List<? extends Backend<?, ?>> backends;
    private final List<AutoCloseable> closeOrder;
    private boolean closed;
    private LossScaler scaler;
    private double lastScale = Double.NaN;

    BackendRunner(StepRunner runner, String description, List<? extends Backend<?, ?>> backends, List<AutoCloseable> closeOrder) {
        this.runner = runner;
        this.description = description;
        this.backends = List.copyOf(backends);
        this.closeOrder = List.copyOf(closeOrder);
        this.scaler = runner.lossScaled() ? new LossScaler(LossScaler.Settings.defaults()) : null;
    }

    /** Loss scaling with these settings from the next step on (for a loss-scaled step; refused otherwise). */
    public void useLossScaling(LossScaler.Settings settings) {
        if (!runner.lossScaled()) {
            throw new IllegalStateException(description + " runs a step without loss scaling");
        }
        scaler = new LossScaler(settings);
    }

    /**
     * Loss scaling with these settings as it stands after steps that overflowed as {@code overflows} says
     * (a resumed run's history): the scale an uninterrupted run would have reached.
     */
    public void useLossScaling(LossScaler.Settings settings, List<Boolean> overflows) {
        useLossScaling(settings);
        overflows.forEach(scaler::update);
    }

    /** What runs the step, e.g. {@code cuda fp32 on NVIDIA H100 80GB HBM3 (sm_90), 4 logical devices}. */
    public String description() {
        return description;
    }

    /** The devices, in mesh order (one for a single device). */
    public List<? extends Backend<?, ?>> backends() {
        return backends;
    }

    /** The runner itself (a {@link SingleDeviceExecutor} or a {@link MeshRuntime}). */
    public StepRunner runner() {
        return runner;
    }

    @Override
    public Map<String, Tensor> step(Map<String, Tensor> feeds) {
        if (scaler == null) {
            return runner.step(feeds);
        }
        lastScale = scaler.scale();
        Map<String, Tensor> out = runner.step(scaler.feeds(feeds));
        scaler.update(runner.lastStepSkipped());
        return out;
    }

    @Override
    public boolean lossScaled() {
        return runner.lossScaled();
    }

    @Override
    public boolean lastStepSkipped() {
        return runner.lastStepSkipped();
    }

    @Override
    public double lastStepLossScale() {
        return lastScale;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return runner.parameters();
    }

    @Override
    public List<List<VariableShard>> variableLayout() {
        return runner.variableLayout();
    }

    @Override
    public List<List<Tensor>> variableBlocks() {
        return runner.variableBlocks();
    }

    @Override
    public void setVariableBlocks(List<List<Tensor>> blocks) {
        runner.setVariableBlocks(blocks);
    }

    @Override
    public long peakBytes() {
        return runner.peakBytes();
    }

    @Override
    public long matmulNanos() {
        return runner.matmulNanos();
    }

    @Override
    public long stepNanos() {
        return runner.stepNanos();
    }

    @Override
    public long collectiveNanos() {
        return runner.collectiveNanos();
    }

    @Override
    public Map<String, Long> lastStepCollectiveBytes() {
        return runner.lastStepCollectiveBytes();
    }

    @Override
    public Map<String, Long> lastStepCollectiveNanos() {
        return runner.lastStepCollectiveNanos();
    }

    @Override
    public long[] peakBytesPerDevice() {
        return runner.peakBytesPerDevice();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable c : closeOrder) {
            try {
                c.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("closing " + description + " failed: " + failures.getFirst(),
                    failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "BackendRunner[" + description + "]";
    }
}
