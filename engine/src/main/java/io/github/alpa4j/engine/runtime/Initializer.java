package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Initial values of parameters and states, a pure function of (seed, tensor name): every backend,
 * mesh and plan starts from the same numbers, so runs can be compared element by element.
 */
public final class Initializer {
    private Initializer() {
    }

    public static Tensor initial(Node n, long seed) {
        Init init = switch (n.op()) {
            case SourceOp.Parameter p -> p.init();
            case SourceOp.State s -> s.init();
            default -> throw new IllegalArgumentException(n.name() + " is not a variable");
        };
        Tensor t = Tensor.zeros(n.type());
        float[] v = t.floats();
        switch (init) {
            case Init.Zeros z -> {
            }
            case Init.Ones o -> java.util.Arrays.fill(v, 1f);
            case Init.Normal nrm -> {
                SplittableRandom r = random(seed, n.name());
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (nrm.std() * gaussian(r));
                }
            }
            case Init.Uniform u -> {
                SplittableRandom r = random(seed, n.name());
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (u.bound() * (2 * r.nextDouble() - 1));
                }
            }
        }
        return t;
    }

    private static SplittableRandom random(long seed, String name) {
        long h = 1125899906842597L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ h);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
