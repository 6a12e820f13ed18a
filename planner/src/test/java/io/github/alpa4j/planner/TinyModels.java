package io.github.alpa4j.planner;

import io.github.alpa4j.ir.ConvLayers;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;

/**
 * Small training graphs that together use every op of the IR, forward, backward and update (the
 * engine's model builders live downstream of the planner).
 */
public final class TinyModels {
    private TinyModels() {
    }

    /** One pre-LN transformer block with causal attention, GELU MLP, tied LM head, cross entropy; AdamW. */
    public static Graph transformer(int batch, int seq, int hidden, int heads, int vocab) {
        return gpt(batch, seq, hidden, heads, vocab, 1);
    }

    /** A GPT of {@code blocks} pre-LN transformer blocks as {@link #transformer} builds one. */
    public static Graph gpt(int batch, int seq, int hidden, int heads, int vocab, int blocks) {
        GraphBuilder b = new GraphBuilder();
        Value ids = b.input("tokens", TensorType.i32(batch, seq), InputKind.DATA);
        Value labels = b.input("targets", TensorType.i32(batch, seq), InputKind.LABEL);
        Value wte = b.parameter("wte", TensorType.f32(vocab, hidden), Init.normal(0.02));
        Value wpe = b.parameter("wpe", TensorType.f32(seq, hidden), Init.normal(0.01));
        Value x = b.add(b.embedding(ids, wte), wpe);
        int hd = hidden / heads;
        for (int l = 0; l < blocks; l++) {
            // named layers, as the engine's GPT scopes them (NamedLayers); one block keeps its names unscoped
            try (GraphBuilder.Scope sc = blocks == 1 ? null : b.scope("block" + l)) {
                Value a = layerNorm(b, "ln1", x);
                Value q = b.permute(b.reshape(linear(b, "q", a, hidden, hidden), batch, seq, heads, hd), 0, 2, 1, 3);
                Value k = b.permute(b.reshape(linear(b, "k", a, hidden, hidden), batch, seq, heads, hd), 0, 2, 1, 3);
                Value v = b.permute(b.reshape(linear(b, "v", a, hidden, hidden), batch, seq, heads, hd), 0, 2, 1, 3);
                Value p = b.softmax(b.scale(b.matmul(q, k, false, true), 1.0 / Math.sqrt(hd)), true);
                Value ctx = b.reshape(b.permute(b.matmul(p, v), 0, 2, 1, 3), batch, seq, hidden);
                x = b.add(x, linear(b, "proj", ctx, hidden, hidden));
                Value m = b.gelu(linear(b, "fc", layerNorm(b, "ln2", x), hidden, 4 * hidden));
                x = b.add(x, linear(b, "out", m, 4 * hidden, hidden));
            }
        }
        // tied head: logits = x · wteᵀ
        Value logits = b.matmul(layerNorm(b, "ln_f", x), wte, false, true);
        b.output("loss", b.crossEntropy(logits, labels));
        return Autodiff.training(b.build(), "loss", Optimizer.AdamW.withLr(1e-3));
    }

    /** A ReLU MLP with MSE loss, a mean-reduced auxiliary term and a broadcast, trained by SGD with momentum. */
    public static Graph mlp(int batch, int in, int hidden, int out) {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(batch, in), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(batch, out), InputKind.LABEL);
        Value h = b.relu(linear(b, "l0", x, in, hidden));
        Value s = b.reduceMean(h, true, 1);
        Value centred = b.sub(h, b.broadcastTo(s, Shape.of(batch, hidden)));
        Value pred = b.div(linear(b, "l1", centred, hidden, out), b.constant(TensorType.f32(1), 2.0));
        b.output("pred", pred);
        b.output("loss", b.mse(pred, y));
        return Autodiff.training(b.build(), "loss", new Optimizer.Sgd(0.1, 0.9, 1e-4));
    }

    /**
     * A one-layer mixture of experts on [groups, tokens, hidden]: top-2 gating, dispatch and combine as
     * batched matmuls over (group, token, expert, slot), experts batched over E, and the load-balancing
     * term; MSE loss, AdamW. Uses every routing op (the combine gradient through autodiff).
     */
    public static Graph moe(int groups, int tokens, int hidden, int experts, int capacity) {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(groups, tokens, hidden), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(groups, tokens, hidden), InputKind.LABEL);
        Value gates = b.softmax(b.matmul(x, b.parameter("gate", TensorType.f32(hidden, experts), Init.normal(0.5))), false);
        Value dispatch = b.apply(new io.github.alpa4j.ir.RoutingOp.Top2Dispatch(capacity), gates);
        Value combine = b.apply(new io.github.alpa4j.ir.RoutingOp.Top2Combine(capacity), gates);
        Value in = b.matmul(b.reshape(dispatch, groups, tokens, experts * capacity), x, true, false);
        in = b.reshape(b.permute(b.reshape(in, groups, experts, capacity, hidden), 1, 0, 2, 3), experts, groups * capacity, hidden);
        Value out = b.matmul(b.relu(in), b.parameter("experts", TensorType.f32(experts, hidden, hidden), Init.normal(0.1)));
        out = b.reshape(b.permute(b.reshape(out, experts, groups, capacity, hidden), 1, 0, 2, 3), groups, experts * capacity, hidden);
        Value pred = b.matmul(b.reshape(combine, groups, tokens, experts * capacity), out);
        Value routed = b.reduceSum(b.apply(new io.github.alpa4j.ir.RoutingOp.Top1Mask(), gates), false, 1);
        Value aux = b.reduceSum(b.mul(routed, b.reduceSum(gates, false, 1)), false, 0, 1);
        b.output("pred", pred);
        b.output("loss", b.add(b.mse(pred, y), b.scale(aux, 0.01)));
        return Autodiff.training(b.build(), "loss", Optimizer.AdamW.withLr(1e-3));
    }

    /**
     * Two 3x3 convolutions (im2col and a product; col2im in the second one's input gradient), each with
     * batch norm and ReLU, an average pool, global pooling and a linear head on NHWC images; MSE, SGD with
     * momentum. Uses every window op.
     */
    public static Graph convNet(int batch, int image, int channels) {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(batch, image, image, channels), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(batch, 4), InputKind.LABEL);
        Value h = x;
        for (int l = 0; l < 2; l++) {
            h = ConvLayers.conv2d(b, h, b.parameter("w" + l, TensorType.f32(channels * 9, channels), Init.normal(0.1)), 3, 1, 1);
            h = b.relu(ConvLayers.batchNorm(b, h, b.parameter("g" + l, TensorType.f32(channels), Init.ones()),
                    b.parameter("b" + l, TensorType.f32(channels), Init.zeros()), 1e-5));
        }
        h = ConvLayers.avgPool(b, h, 2, 2, 0);
        Value logits = b.matmul(ConvLayers.globalAvgPool(b, h), b.parameter("head", TensorType.f32(channels, 4), Init.normal(0.1)));
        b.output("loss", b.mse(logits, y));
        return Autodiff.training(b.build(), "loss", new Optimizer.Sgd(0.1, 0.9, 0));
    }

    /** The 2-layer MLP of Alpa's tests: x·W1 + b1, ReLU, ·W2 + b2, MSE; plain SGD. */
    public static Graph mlp2(int batch, int in, int hidden, int out) {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(batch, in), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(batch, out), InputKind.LABEL);
        Value h = b.relu(linear(b, "l0", x, in, hidden));
        Value pred = linear(b, "l1", h, hidden, out);
        b.output("loss", b.mse(pred, y));
        return Autodiff.training(b.build(), "loss", new Optimizer.Sgd(0.1, 0, 0));
    }

    /**
     * A ReLU MLP of {@code depth} equal layers scoped {@code layer<i>/} (as the engine's builder scopes
     * them), with MSE loss, trained by AdamW: a stack of identical layers for the pipeline planner.
     */
    public static Graph deepMlp(int batch, int width, int depth) {
        GraphBuilder b = new GraphBuilder();
        Value h = b.input("x", TensorType.f32(batch, width), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(batch, width), InputKind.LABEL);
        for (int l = 0; l < depth; l++) {
            try (var sc = b.scope("layer" + l)) {
                h = b.relu(linear(b, "fc", h, width, width));
            }
        }
        b.output("loss", b.mse(h, y));
        return Autodiff.training(b.build(), "loss", Optimizer.AdamW.withLr(1e-3));
    }

    /**
     * A ReLU MLP in bf16 mixed precision: f32 master weights cast to bf16 where read, the prediction cast
     * back to f32 for the MSE; AdamW.
     */
    public static Graph bf16Mlp(int batch, int in, int hidden, int out) {
        GraphBuilder b = new GraphBuilder();
        Value x = b.cast(b.input("x", TensorType.f32(batch, in), InputKind.DATA), DType.BF16);
        Value y = b.input("y", TensorType.f32(batch, out), InputKind.LABEL);
        Value w0 = b.cast(b.parameter("l0/w", TensorType.f32(in, hidden), Init.normal(0.02)), DType.BF16);
        Value w1 = b.cast(b.parameter("l1/w", TensorType.f32(hidden, out), Init.normal(0.02)), DType.BF16);
        Value pred = b.cast(b.matmul(b.relu(b.matmul(x, w0)), w1), DType.F32);
        b.output("loss", b.mse(pred, y));
        return Autodiff.training(b.build(), "loss", Optimizer.AdamW.withLr(1e-3));
    }

    static Value linear(GraphBuilder b, String name, Value x, int in, int out) {
        Value w = b.parameter(name + "/w", TensorType.f32(in, out), Init.normal(0.02));
        Value bias = b.parameter(name + "/b", TensorType.f32(out), Init.zeros());
        return b.biasAdd(b.matmul(x, w), bias);
    }

    static Value layerNorm(GraphBuilder b, String name, Value x) {
        int h = x.dim(-1);
        return b.layerNorm(x, b.parameter(name + "/g", TensorType.f32(h), Init.ones()),
                b.parameter(name + "/b", TensorType.f32(h), Init.zeros()), 1e-5);
    }
}
