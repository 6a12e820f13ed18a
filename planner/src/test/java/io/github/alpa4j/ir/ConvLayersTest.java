package io.github.alpa4j.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.eval.GradientCheck;
import io.github.alpa4j.ir.eval.ReferenceEvaluator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Convolution, batch norm and pooling as the IR composes them: each against its definition written
 * as plain loops, and every parameter's gradient through a small network of them against finite
 * differences.
 */
class ConvLayersTest {

    private static double[] normal(int n, Random r) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    /** y[n, y, x, o] = Σ x[n, y·s + i − p, x·s + j − p, c]·w[(c·k + i)·k + j, o], written directly. */
    @ParameterizedTest(name = "{0}x{0} stride {1} pad {2}")
    @CsvSource({"3, 1, 1", "3, 2, 1", "1, 2, 0", "7, 2, 3", "1, 1, 0", "2, 2, 0"})
    void convolutionIsItsDefinition(int k, int s, int p) {
        int n = 2, h = 7, w = 6, c = 3, o = 4;
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(n, h, w, c), InputKind.DATA);
        Value wt = b.parameter("w", TensorType.f32(c * k * k, o), Init.normal(1));
        Value y = ConvLayers.conv2d(b, x, wt, k, s, p);
        b.output("y", y);
        Graph g = b.build();
        Random r = new Random(k * 31 + s);
        double[] xv = normal(n * h * w * c, r);
        double[] wv = normal(c * k * k * o, r);
        double[] got = ReferenceEvaluator.evaluate(g, Map.of("x", xv, "w", wv))[g.output("y")];
        int ho = (h + 2 * p - k) / s + 1;
        int wo = (w + 2 * p - k) / s + 1;
        assertThat(y.shape()).isEqualTo(Shape.of(n, ho, wo, o));
        for (int bb = 0; bb < n; bb++) {
            for (int yy = 0; yy < ho; yy++) {
                for (int xx = 0; xx < wo; xx++) {
                    for (int oo = 0; oo < o; oo++) {
                        double want = 0;
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j < k; j++) {
                                    int sy = yy * s + i - p;
                                    int sx = xx * s + j - p;
                                    if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                                        want += xv[((bb * h + sy) * w + sx) * c + ch] * wv[((ch * k + i) * k + j) * o + oo];
                                    }
                                }
                            }
                        }
                        assertThat(got[((bb * ho + yy) * wo + xx) * o + oo]).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-12));
                    }
                }
            }
        }
    }

    /** With unit scale and no shift, each channel comes out with mean 0 and (biased) variance var/(var + eps) over batch and image. */
    @Test
    void batchNormNormalisesEachChannelOverBatchAndImage() {
        int n = 3, h = 4, w = 5, c = 2;
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(n, h, w, c), InputKind.DATA);
        Value y = ConvLayers.batchNorm(b, x, b.parameter("g", TensorType.f32(c), Init.ones()),
                b.parameter("beta", TensorType.f32(c), Init.zeros()), 1e-5);
        b.output("y", y);
        Graph g = b.build();
        double[] xv = normal(n * h * w * c, new Random(3));
        for (int i = 0; i < xv.length; i++) {
            xv[i] = 5 + 3 * xv[i] * (i % c + 1); // channels of different means and scales
        }
        double[] out = ReferenceEvaluator.evaluate(g, Map.of("x", xv, "g", new double[] {1, 1}, "beta", new double[] {0, 0}))[g.output("y")];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0, xs = 0, xsq = 0;
            int count = n * h * w;
            for (int i = ch; i < out.length; i += c) {
                sum += out[i];
                sq += out[i] * out[i];
                xs += xv[i];
                xsq += xv[i] * xv[i];
            }
            double var = xsq / count - (xs / count) * (xs / count);
            assertThat(sum / count).as("mean of channel %d", ch).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(sq / count).as("variance of channel %d", ch).isCloseTo(var / (var + 1e-5), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    /** 2x2 windows, stride 2, on a 4x4 image of one channel: each output the mean of its block. */
    @Test
    void averagePoolingAveragesEachWindow() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(1, 4, 4, 1), InputKind.DATA);
        b.output("y", ConvLayers.avgPool(b, x, 2, 2, 0));
        b.output("g", ConvLayers.globalAvgPool(b, x));
        Graph g = b.build();
        double[] xv = new double[16];
        for (int i = 0; i < 16; i++) {
            xv[i] = i;
        }
        double[][] v = ReferenceEvaluator.evaluate(g, Map.of("x", xv));
        assertThat(v[g.output("y")]).containsExactly(2.5, 4.5, 10.5, 12.5);
        assertThat(v[g.output("g")]).containsExactly(7.5);
    }

    /** A stem, a bottleneck-like pair of convolutions with batch norm, pooling and a head: every gradient by finite differences. */
    @Test
    void gradientsThroughConvolutionBatchNormAndPoolingMatchFiniteDifferences() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(2, 6, 6, 2), InputKind.DATA);
        Value t = b.input("t", TensorType.f32(2, 3), InputKind.LABEL);
        Value h = ConvLayers.conv2d(b, x, b.parameter("w1", TensorType.f32(2 * 9, 3), Init.normal(1)), 3, 2, 1);
        h = ConvLayers.batchNorm(b, h, b.parameter("g1", TensorType.f32(3), Init.ones()), b.parameter("b1", TensorType.f32(3), Init.zeros()), 1e-5);
        h = ConvLayers.avgPool(b, b.relu(h), 3, 2, 1);
        Value y = ConvLayers.conv2d(b, h, b.parameter("w2", TensorType.f32(3, 4), Init.normal(1)), 1, 1, 0);
        y = ConvLayers.batchNorm(b, y, b.parameter("g2", TensorType.f32(4), Init.ones()), b.parameter("b2", TensorType.f32(4), Init.zeros()), 1e-5);
        Value pooled = ConvLayers.globalAvgPool(b, b.relu(y));
        Value out = b.matmul(pooled, b.parameter("head", TensorType.f32(4, 3), Init.normal(1)));
        b.output("loss", b.mse(out, t));
        Graph g = b.build();
        Random r = new Random(11);
        Map<String, double[]> src = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.isSource() && !(n.op() instanceof SourceOp.Constant)) {
                double[] v = normal((int) n.type().size(), r);
                if (n.name().startsWith("g")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = 1 + 0.3 * v[i]; // scales near 1, as trained ones are
                    }
                }
                src.put(n.name(), v);
            }
        }
        Map<String, GradientCheck.Result> errors = GradientCheck.compare(g, "loss", src, 1e-5);
        assertThat(errors).containsOnlyKeys("w1", "g1", "b1", "w2", "g2", "b2", "head");
        errors.forEach((p, e) -> assertThat(e.relativeError()).as("d/d" + p).isLessThan(1e-6));
    }

    @Test
    void aWeightOfTheWrongShapeIsRefused() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(1, 4, 4, 2), InputKind.DATA);
        assertThatThrownBy(() -> ConvLayers.conv2d(b, x, b.parameter("w", TensorType.f32(9, 3), Init.normal(1)), 3, 1, 1))
                .isInstanceOf(ShapeException.class).hasMessageContaining("must be [18, C_out]");
        assertThatThrownBy(() -> b.apply(new PatchOp.Im2Col(7, 7, 1, 0), x))
                .isInstanceOf(ShapeException.class).hasMessageContaining("larger than the padded image");
    }
}
