package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.autodiff.Autodiff;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling as PyTorch's {@code torch.amp.GradScaler} does it: the backward pass starts from
 * dL/dloss = S so that small f16 gradients do not underflow; the gradients are unscaled by 1/S before
 * the update; a step whose update comes out infinite or NaN (an f16 overflow somewhere in the backward
 * pass) is skipped and S halves; after {@code growthInterval} good steps in a row S doubles. The
 * graph does the arithmetic; the runtime keeps the variables of a skipped step; this keeps S.
 */
public final class LossScaler {
    /** GradScaler's knobs, with its defaults. */
    public record Settings(double initialScale, double growthFactor, double backoffFactor, int growthInterval) {
        public Settings {
            if (!(initialScale > 0) || Double.isInfinite(initialScale) || !(growthFactor > 1) || !(backoffFactor > 0)
                    || !(backoffFactor < 1) || growthInterval < 1) {
                throw new IllegalArgumentException("loss scaling needs a finite scale > 0, growth factor > 1, backoff in (0, 1)"
                        + " and a growth interval >= 1; got " + this);
            }
        }

        /** GradScaler's: 2^16, ×2 after 2000 good steps, ×0.5 on an overflow. */
        public static Settings defaults() {
            return new Settings(65536.0, 2.0, 0.5, 2000);
        }

        public Settings withInitialScale(double s) {
            return new Settings(s, growthFactor, backoffFactor, growthInterval);
        }

        public Settings withGrowthInterval(int n) {
            return new Settings(initialScale, growthFactor, backoffFactor, n);
        }
    }

    private final Settings settings;
    private double scale;
    private int goodSteps;

    public LossScaler(Settings settings) {
        this.settings = settings;
        this.scale = settings.initialScale();
    }

    /** The scale the next step runs with. */
    public double scale() {
        return scale;
    }

    /** The batch plus the scale and its inverse, as the loss-scaled graph reads them. */
    public Map<String, Tensor> feeds(Map<String, Tensor> batch) {
        Map<String, Tensor> f = new LinkedHashMap<>(batch);
        f.put(Autodiff.LOSS_SCALE, Tensor.scalar((float) scale));
        f.put(Autodiff.INV_LOSS_SCALE, Tensor.scalar((float) (1 / scale)));
        return f;
    }

    /** After a step: back off on an overflow (the step was skipped), grow after a run of good steps. */
    public void update(boolean overflow) {
        if (overflow) {
            scale *= settings.backoffFactor();
            goodSteps = 0;
        } else if (++goodSteps == settings.growthInterval()) {
            scale *= settings.growthFactor();
            goodSteps = 0;
        }
    }
}
