package io.github.alpa4j.engine.model;

import io.github.alpa4j.ir.ConvLayers;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import java.util.List;

/**
 * Builds the forward graph of a {@link WideResNetConfig}: images [N, H, W, C] in, class logits and the
 * cross-entropy loss against integer labels out. Each block is its own scope ({@code block3}, numbered
 * across stages),
 * so layer clustering sees blocks as Alpa's benchmark does (it clusters Wide-ResNet-50 into its 16
 * blocks). Parameters are f32 master weights, cast to the compute type where read, as in {@link Models}.
 */
public final class WideResNet {
    static final double BN_EPS = 1e-5;

    private WideResNet() {
    }

    public static Model build(WideResNetConfig c, Precision precision) {
        DType dt = precision.compute();
        GraphBuilder b = new GraphBuilder();
        Value images = b.input("images", TensorType.f32(c.batch(), c.image(), c.image(), c.channels()), InputKind.DATA);
        Value labels = b.input("labels", TensorType.i32(c.batch()), InputKind.LABEL);
        Value x;
        try (var s = b.scope("stem")) {
            x = conv(b, "conv", b.cast(images, dt), c.baseChannels(), 7, 2, 3);
            x = b.relu(norm(b, "bn", x, false));
            x = ConvLayers.avgPool(b, x, 3, 2, 1);
        }
        List<Integer> stages = c.stageSizes();
        int block = 0;
        for (int s = 0; s < stages.size(); s++) {
            int filters = c.baseChannels() << s;
            for (int j = 0; j < stages.get(s); j++) {
                try (var sc = b.scope("block" + block++)) {
                    x = bottleneck(b, x, filters, c.widthFactor(), s > 0 && j == 0 ? 2 : 1);
                }
            }
        }
        Value logits;
        try (var s = b.scope("head")) {
            Value pooled = ConvLayers.globalAvgPool(b, x);
            int in = pooled.dim(1);
            Value w = b.cast(b.parameter("w", TensorType.f32(in, c.classes()), Init.normal(Math.sqrt(1.0 / in))), dt);
            Value bias = b.cast(b.parameter("b", TensorType.f32(c.classes()), Init.zeros()), dt);
            logits = b.cast(b.biasAdd(b.matmul(pooled, w), bias), DType.F32);
        }
        b.output("logits", logits);
        b.output("loss", b.crossEntropy(logits, labels));
        return new Model("wresnet", b.build(), "images", "labels", c.batch());
    }

    /** 1x1 to f, 3x3 (strided) to f·width, 1x1 to 4f, each normalised; the residual projected where its shape changes. */
    private static Value bottleneck(GraphBuilder b, Value x, int filters, int width, int stride) {
        Value y = b.relu(norm(b, "bn1", conv(b, "conv1", x, filters, 1, 1, 0), false));
        y = b.relu(norm(b, "bn2", conv(b, "conv2", y, filters * width, 3, stride, 1), false));
        // the last norm starts at zero scale, so each block starts as the identity (Alpa's and flax's choice)
        y = norm(b, "bn3", conv(b, "conv3", y, 4 * filters, 1, 1, 0), true);
        Value residual = x;
        if (x.dim(3) != 4 * filters || stride != 1) {
            residual = norm(b, "proj_bn", conv(b, "proj", x, 4 * filters, 1, stride, 0), false);
        }
        return b.relu(b.add(residual, y));
    }

    /** A bias-free k x k convolution to {@code out} channels, He-initialised (std √(2 / fan-in)). */
    private static Value conv(GraphBuilder b, String name, Value x, int out, int k, int stride, int pad) {
        int fanIn = x.dim(3) * k * k;
        Value w = b.cast(b.parameter(name + "/w", TensorType.f32(fanIn, out), Init.normal(Math.sqrt(2.0 / fanIn))), x.type().dtype());
        return ConvLayers.conv2d(b, x, w, k, stride, pad);
    }

    private static Value norm(GraphBuilder b, String name, Value x, boolean zeroScale) {
        int c = x.dim(3);
        DType dt = x.type().dtype();
        Value gamma = b.cast(b.parameter(name + "/gamma", TensorType.f32(c), zeroScale ? Init.zeros() : Init.ones()), dt);
        Value beta = b.cast(b.parameter(name + "/beta", TensorType.f32(c), Init.zeros()), dt);
        return ConvLayers.batchNorm(b, x, gamma, beta, BN_EPS);
    }
}
