package io.github.alpa4j.engine.data;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Classification data for image models: NHWC images of standard normal pixels, each labelled by a
 * fixed random teacher that is itself a tiny convolutional network — a 3x3 convolution (zero padding)
 * to 16 features, ReLU, the mean over the image (centred by its expectation, scaled by √pixels), and
 * the argmax of a random linear map over the classes. A ResNet can represent it exactly (convolution,
 * ReLU, global pooling, a linear head), and the label is a function of the image, so the least cross
 * entropy is 0 (approached as a student's logits separate).
 */
public final class ImageTeacherSource implements DataSource {
    private static final int FEATURES = 16;

    private final int batch;
    private final int size;
    private final int channels;
    private final int classes;
    private final long seed;
    private final double[] conv;
    private final double[] centre;
    private final double[] head;
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
        SplittableRandom r = new SplittableRandom(seed ^ 0x696d616765L);
        int fanIn = 9 * channels;
        conv = new double[FEATURES * fanIn];
        centre = new double[FEATURES];
        head = new double[FEATURES * classes];
        for (int f = 0; f < FEATURES; f++) {
            double var = 0;
            for (int k = 0; k < fanIn; k++) {
                double w = TeacherSource.normal(r) / Math.sqrt(fanIn);
                conv[f * fanIn + k] = w;
                var += w * w;
            }
            centre[f] = Math.sqrt(var / (2 * Math.PI)); // E[relu(z)] for z ~ N(0, var)
        }
        for (int i = 0; i < head.length; i++) {
            head[i] = TeacherSource.normal(r);
        }
    }

    @Override
    public Map<String, Tensor> batch(long step) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int pixels = size * size * channels;
        float[] x = new float[batch * pixels];
        int[] y = new int[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) TeacherSource.normal(r);
        }
        for (int b = 0; b < batch; b++) {
            y[b] = label(x, b * pixels);
        }
        return Map.of(xName, Tensor.of(TensorType.f32(batch, size, size, channels), x), yName, Tensor.ofInts(TensorType.i32(batch), y));
    }

    /** The teacher's class for the image at {@code base}. */
    int label(float[] x, int base) {
        double[] feature = new double[FEATURES];
        int fanIn = 9 * channels;
        double[] window = new double[fanIn];
        for (int row = 0; row < size; row++) {
            for (int col = 0; col < size; col++) {
                for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 3; j++) {
                            int y = row + i - 1;
                            int xx = col + j - 1;
                            window[(c * 3 + i) * 3 + j] = y < 0 || y >= size || xx < 0 || xx >= size ? 0
                                    : x[base + (y * size + xx) * channels + c];
                        }
                    }
                }
                for (int f = 0; f < FEATURES; f++) {
                    double z = 0;
                    for (int k = 0; k < fanIn; k++) {
                        z += conv[f * fanIn + k] * window[k];
                    }
                    feature[f] += Math.max(0, z);
                }
            }
        }
        int pixels = size * size;
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            double s = 0;
            for (int f = 0; f < FEATURES; f++) {
                s += (feature[f] / pixels - centre[f]) * Math.sqrt(pixels) * head[f * classes + k];
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
        return String.format("%dx%dx%d normal images labelled by a teacher (3x3 conv to %d, ReLU, mean over the image → %d classes), seed %d",
                size, size, channels, FEATURES, classes, seed);
    }
}
