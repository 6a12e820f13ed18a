package io.github.alpa4j.engine.data;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Classification data for image models: NHWC images of standard normal pixels, each labelled by a
 * fixed random teacher — the image averaged over a g x g grid of cells (g = min(4, size)), through
 * tanh(W1·) of width 32, and the argmax of W2· over the classes. The label is a function of the image,
 * so the least cross entropy is 0 (approached as a student's logits separate).
 */
public final class ImageTeacherSource implements DataSource {
    private static final int WIDTH = 32;

    private final int batch;
    private final int size;
    private final int channels;
    private final int classes;
    private final long seed;
    private final int grid;
    private final double[] w1;
    private final double[] w2;
    private final String xName;
    private final String yName;

    public ImageTeacherSource(int batch, int size, int channels, int classes, long seed, String xName, String yName) {
        this.batch = batch;
        this.size = size;
        this.channels = channels;
        this.classes = classes;
        this.seed = seed;
        this.xName = xName;
        this.yName = yName;
        this.grid = Math.min(4, size);
        int features = grid * grid * channels;
        SplittableRandom r = new SplittableRandom(seed ^ 0x696d616765L);
        w1 = new double[features * WIDTH];
        w2 = new double[WIDTH * classes];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = normal(r) / Math.sqrt(features);
        }
        for (int i = 0; i < w2.length; i++) {
            w2[i] = normal(r);
        }
    }

    private static double normal(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Override
    public Map<String, Tensor> batch(long step) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int pixels = size * size * channels;
        float[] x = new float[batch * pixels];
        int[] y = new int[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) normal(r);
        }
        for (int b = 0; b < batch; b++) {
            y[b] = label(x, b * pixels);
        }
        return Map.of(xName, Tensor.of(TensorType.f32(batch, size, size, channels), x), yName, Tensor.ofInts(TensorType.i32(batch), y));
    }

    /** The teacher's class for the image at {@code base}. */
    int label(float[] x, int base) {
        double[] f = new double[grid * grid * channels];
        int[] count = new int[grid * grid];
        for (int row = 0; row < size; row++) {
            for (int col = 0; col < size; col++) {
                int cell = (row * grid / size) * grid + col * grid / size;
                count[cell]++;
                for (int c = 0; c < channels; c++) {
                    f[cell * channels + c] += x[base + (row * size + col) * channels + c];
                }
            }
        }
        for (int i = 0; i < f.length; i++) {
            f[i] /= Math.sqrt(count[i / channels]); // a sum of n unit normals over √n: unit variance
        }
        double[] h = new double[WIDTH];
        for (int j = 0; j < WIDTH; j++) {
            double s = 0;
            for (int i = 0; i < f.length; i++) {
                s += f[i] * w1[i * WIDTH + j];
            }
            h[j] = Math.tanh(s);
        }
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            double s = 0;
            for (int j = 0; j < WIDTH; j++) {
                s += h[j] * w2[j * classes + k];
            }
            if (s > bestLogit) {
                bestLogit = s;
                best = k;
            }
        }
        return best;
    }

    @Override
    public OptionalDouble lossFloor() {
        return OptionalDouble.of(0);
    }

    @Override
    public String describe() {
        return String.format("%dx%dx%d normal images labelled by a teacher (%dx%d cell means → tanh %d → %d classes), seed %d",
                size, size, channels, grid, grid, WIDTH, classes, seed);
    }
}
