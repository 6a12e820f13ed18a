package io.github.alpa4j.engine.model;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;

/**
 * Builds the forward graphs of the MLP and the GPT. Parameter values come from their Init and the run's
 * seed. In mixed precision every parameter stays f32 (the master weight) and is cast to the compute type
 * where the model reads it; activations are in the compute type; the prediction is cast back to f32
 * before the loss, which is f32 (Megatron's and PyTorch autocast's split). In fp32 there are no casts.
 */
public final class Models {
    private Models() {
    }

    public static Model mlp(MlpConfig c) {
        return mlp(c, Precision.FP32);
    }

    public static Model gpt(GptConfig c) {
        return gpt(c, Precision.FP32);
    }

    public static Model mlp(MlpConfig c, Precision precision) {
        DType dt = precision.compute();
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(c.batch(), c.inputDim()), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(c.batch(), c.outputDim()), InputKind.LABEL);
        int in = c.inputDim();
        Value h = b.cast(x, dt);
        int layers = c.hidden().size() + 1;
        for (int l = 0; l < layers; l++) {
            int out = l < c.hidden().size() ? c.hidden().get(l) : c.outputDim();
            try (var s = b.scope("layer" + l)) {
                // He initialisation keeps activations at unit scale through ReLU layers
                Value w = b.cast(b.parameter("w", TensorType.f32(in, out), Init.normal(Math.sqrt(2.0 / in))), dt);
                Value bias = b.cast(b.parameter("b", TensorType.f32(out), Init.zeros()), dt);
                h = b.biasAdd(b.matmul(h, w), bias);
                if (l < layers - 1) {
                    h = b.activation(c.activation(), h);
                }
            }
            in = out;
        }
        h = b.cast(h, DType.F32);
        b.output("pred", h);
        b.output("loss", b.mse(h, y));
        return new Model("mlp", b.build(), "x", "y", c.batch());
    }

    public static Model gpt(GptConfig c, Precision precision) {
        GraphBuilder b = new GraphBuilder();
        Value[] ins = gptInputs(b, c, precision.compute());
        Value x = ins[2];
        for (int l = 0; l < c.layers(); l++) {
            try (var sc = b.scope("block" + l)) {
                x = attentionHalf(b, c, x);
                x = b.add(x, mlpHalf(b, c, layerNorm(b, "ln2", x), c.ffn()));
            }
        }
        b.output("loss", lmHead(b, c, x, ins[1]));
        return new Model("gpt", b.build(), "tokens", "targets", (long) c.batch() * c.seq());
    }

    /** The GPT's inputs and embeddings: {tokens, targets, token + position embedding [B, S, H]}. */
    static Value[] gptInputs(GraphBuilder b, GptConfig c, DType dt) {
        int s = c.seq();
        int h = c.hidden();
        Value ids = b.input("tokens", TensorType.i32(c.batch(), s), InputKind.DATA);
        Value labels = b.input("targets", TensorType.i32(c.batch(), s), InputKind.LABEL);
        Value wte = b.cast(b.parameter("wte", TensorType.f32(c.vocab(), h), Init.normal(0.02)), dt);
        Value wpe = b.cast(b.parameter("wpe", TensorType.f32(s, h), Init.normal(0.01)), dt);
        // positions are always 0..seq-1, so the position table is added whole, broadcast over the batch
        return new Value[] {ids, labels, b.add(b.embedding(ids, wte), wpe)};
    }

    /** x + attention(ln1(x)): a block's first half, in the block's scope. */
    static Value attentionHalf(GraphBuilder b, GptConfig c, Value x) {
        int h = c.hidden();
        DType dt = x.type().dtype();
        double residualStd = 0.02 / Math.sqrt(2.0 * c.layers());
        Value a = layerNorm(b, "ln1", x);
        Value q = linear(b, "attn/q", a, h, h, 0.02);
        // no key bias: it adds the same q·b to every score of a row, which softmax ignores, so its
        // gradient is exactly zero and Adam would turn rounding noise into updates
        Value k = b.matmul(a, b.cast(b.parameter("attn/k/w", TensorType.f32(h, h), Init.normal(0.02)), dt));
        Value v = linear(b, "attn/v", a, h, h, 0.02);
        Value att = attention(b, c, q, k, v);
        return b.add(x, linear(b, "attn/proj", att, h, h, residualStd));
    }

    /** The GELU MLP of width {@code ffn} on the normalised m (its residual is the caller's). */
    static Value mlpHalf(GraphBuilder b, GptConfig c, Value m, int ffn) {
        double residualStd = 0.02 / Math.sqrt(2.0 * c.layers());
        Value f = b.gelu(linear(b, "mlp/fc", m, c.hidden(), ffn, 0.02));
        return linear(b, "mlp/proj", f, ffn, c.hidden(), residualStd);
    }

    /** Final norm and LM head: outputs {@code logits}, returns the cross entropy against {@code labels}. */
    static Value lmHead(GraphBuilder b, GptConfig c, Value x, Value labels) {
        Value f = layerNorm(b, "ln_f", x);
        Value head = b.cast(b.parameter("lm_head", TensorType.f32(c.hidden(), c.vocab()), Init.normal(0.02)), x.type().dtype());
        Value logits = b.cast(b.matmul(f, head), DType.F32);
        b.output("logits", logits);
        return b.crossEntropy(logits, labels);
    }

    /** Causal multi-head self-attention on [B, S, H] inputs. */
    private static Value attention(GraphBuilder b, GptConfig c, Value q, Value k, Value v) {
        int bs = c.batch();
        int s = c.seq();
        int nh = c.heads();
        int hd = c.headDim();
        Value qh = b.permute(b.reshape(q, bs, s, nh, hd), 0, 2, 1, 3);
        Value kh = b.permute(b.reshape(k, bs, s, nh, hd), 0, 2, 1, 3);
        Value vh = b.permute(b.reshape(v, bs, s, nh, hd), 0, 2, 1, 3);
        Value scores = b.scale(b.matmul(qh, kh, false, true), 1.0 / Math.sqrt(hd));
        Value probs = b.softmax(scores, true);
        Value ctx = b.matmul(probs, vh);
        return b.reshape(b.permute(ctx, 0, 2, 1, 3), bs, s, c.hidden());
    }

    /** x·w + b, the parameters cast to x's type. */
    private static Value linear(GraphBuilder b, String name, Value x, int in, int out, double std) {
        DType dt = x.type().dtype();
        Value w = b.cast(b.parameter(name + "/w", TensorType.f32(in, out), Init.normal(std)), dt);
        Value bias = b.cast(b.parameter(name + "/b", TensorType.f32(out), Init.zeros()), dt);
        return b.biasAdd(b.matmul(x, w), bias);
    }

    static Value layerNorm(GraphBuilder b, String name, Value x) {
        int h = x.dim(-1);
        DType dt = x.type().dtype();
        Value g = b.cast(b.parameter(name + "/gamma", TensorType.f32(h), Init.ones()), dt);
        Value beta = b.cast(b.parameter(name + "/beta", TensorType.f32(h), Init.zeros()), dt);
        return b.layerNorm(x, g, beta, 1e-5);
    }
}
