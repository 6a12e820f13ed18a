package io.github.alpa4j.ir.autodiff;

/** Optimizer settings; the update becomes part of the training graph. */
public sealed interface Optimizer {
    double lr();

    /** SGD, with momentum and L2 weight decay as PyTorch's {@code torch.optim.SGD}. */
    record Sgd(double lr, double momentum, double weightDecay) implements Optimizer {
        public Sgd {
            check(lr, "learning rate");
            if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("momentum must be in [0, 1) and weight decay >= 0");
            }
        }
    }

    /** AdamW (decoupled weight decay) as {@code torch.optim.AdamW}. */
    record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) implements Optimizer {
        public AdamW {
            check(lr, "learning rate");
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW needs betas in [0, 1), eps > 0, weight decay >= 0");
            }
        }

        public static AdamW withLr(double lr) {
            return new AdamW(lr, 0.9, 0.999, 1e-8, 0.0);
        }
    }

    private static void check(double lr, String what) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(what + " must be positive, got " + lr);
        }
    }
}
