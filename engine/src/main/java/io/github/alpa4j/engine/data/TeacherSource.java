package io.github.alpa4j.engine.data;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Regression data from a fixed random teacher network y = W2·tanh(W1·x) with x standard normal;
 * the teacher's weights are scaled so the targets have about unit variance. A student with
 * enough width can fit it, so the loss can fall far below its starting value.
 */
public final class TeacherSource implements DataSource {
    private final int inputDim;
    private final int outputDim;
    private final int batch;
    private final long seed;
    private final int width;
    private final double[] w1;
    private final double[] w2;
    private final String xName;
    private final String yName;

    public TeacherSource(int inputDim, int outputDim, int batch, long seed, String xName, String yName) {
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.batch = batch;
        this.seed = seed;
        this.xName = xName;
        this.yName = yName;
        this.width = Math.max(4, Math.min(32, inputDim));
        SplittableRandom r = new SplittableRandom(seed ^ 0x7465616368L);
        w1 = new double[inputDim * width];
        w2 = new double[width * outputDim];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = normal(r) / Math.sqrt(inputDim);
        }
        for (int i = 0; i < w2.length; i++) {
            w2[i] = normal(r) / Math.sqrt(width * 0.4); // tanh of a unit normal has variance ≈ 0.4
        }
    }

    /** A standard normal draw (Box-Muller); the image teacher draws its weights and images with it too. */
    static double normal(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Override
    public Map<String, Tensor> batch(long step) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        float[] x = new float[batch * inputDim];
        float[] y = new float[batch * outputDim];
        double[] hidden = new double[width];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < inputDim; i++) {
                x[b * inputDim + i] = (float) normal(r);
            }
            for (int j = 0; j < width; j++) {
                double s = 0;
                for (int i = 0; i < inputDim; i++) {
                    s += x[b * inputDim + i] * w1[i * width + j];
                }
                hidden[j] = Math.tanh(s);
            }
            for (int o = 0; o < outputDim; o++) {
                double s = 0;
                for (int j = 0; j < width; j++) {
                    s += hidden[j] * w2[j * outputDim + o];
                }
                y[b * outputDim + o] = (float) s;
            }
        }
        return Map.of(xName, Tensor.of(TensorType.f32(batch, inputDim), x),
                yName, Tensor.of(TensorType.f32(batch, outputDim), y));
    }

    @Override
    public String describe() {
        return String.format("teacher network %d→%d→%d (tanh), seed %d", inputDim, width, outputDim, seed);
    }
}
