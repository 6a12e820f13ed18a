package io.github.alpa4j.ir.json;

import io.github.alpa4j.ir.PatchOp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each op as a tag and its attributes (docs/graph-json.md). The switch is exhaustive over the sealed
 * op families: a new op does not compile until it has a tag here. Shapes that equal the node's own
 * (reshape, broadcast, sources) and a cast's target type come from the node's declared type.
 */
final class OpCodec {
    /**
     * The element-wise ops that are one enum constant each (binary kinds, activations and their
     * gradients), by tag: the tags are the ops' names, which are their constants' names, so a new
     * kind has its tag without an edit here.
     */
    private static final Map<String, Op> KINDS = kinds();

    private OpCodec() {
    }

    private static Map<String, Op> kinds() {
        Map<String, Op> m = new HashMap<>();
        List<Op> ops = new ArrayList<>();
        for (ElementwiseOp.BinaryKind k : ElementwiseOp.BinaryKind.values()) {
            ops.add(new ElementwiseOp.Binary(k));
        }
        for (ElementwiseOp.Activation a : ElementwiseOp.Activation.values()) {
            ops.add(new ElementwiseOp.Unary(a));
            ops.add(new ElementwiseOp.ActivationGrad(a));
        }
        for (Op op : ops) {
            if (m.put(op.opName(), op) != null) {
                throw new IllegalStateException("two element-wise ops are both tagged '" + op.opName() + "'");
            }
        }
        return Map.copyOf(m);
    }

    static String write(Op op, ObjectNode a) {
        return switch (op) {
            case SourceOp.Parameter p -> {
                init(a.putObject("init"), p.init());
                yield "parameter";
            }
            case SourceOp.State s -> {
                init(a.putObject("init"), s.init());
                yield "state";
            }
            case SourceOp.Input i -> {
                a.put("kind", i.kind().name().toLowerCase(Locale.ROOT));
                yield "input";
            }
            case SourceOp.Constant c -> {
                a.put("value", c.value());
                yield "constant";
            }
            case MatmulOp.MatMul m -> {
                a.put("trans_a", m.transA()).put("trans_b", m.transB());
                yield "matmul";
            }
            case ElementwiseOp.Binary b -> b.opName();
            case ElementwiseOp.Unary u -> u.opName();
            case ElementwiseOp.ActivationGrad g -> g.opName();
            case ElementwiseOp.Scale s -> {
                a.put("alpha", s.alpha());
                yield "scale";
            }
            case ElementwiseOp.Cast c -> "cast";
            case LayoutOp.Reshape r -> "reshape";
            case LayoutOp.Permute p -> {
                ArrayNode perm = a.putArray("perm");
                p.perm().forEach(perm::add);
                yield "permute";
            }
            case LayoutOp.BroadcastTo b -> "broadcast";
            case ReductionOp r -> {
                ArrayNode axes = a.putArray("axes");
                r.axes().forEach(axes::add);
                a.put("keep_dims", r.keepDims());
                yield r.opName();
            }
            case NormalizationOp.Softmax s -> {
                a.put("causal", s.causal());
                yield "softmax";
            }
            case NormalizationOp.SoftmaxGrad s -> "softmax_grad";
            case NormalizationOp.LayerNorm l -> {
                a.put("eps", l.eps());
                yield "layer_norm";
            }
            case NormalizationOp.LayerNormGrad l -> {
                a.put("eps", l.eps());
                yield "layer_norm_grad";
            }
            case NormalizationOp.LayerNormGammaGrad l -> {
                a.put("eps", l.eps());
                yield "layer_norm_gamma_grad";
            }
            case EmbeddingOp.Embedding e -> "embedding";
            case EmbeddingOp.EmbeddingGrad g -> {
                a.put("vocab", g.vocab());
                yield "embedding_grad";
            }
            case LossOp.CrossEntropy c -> "cross_entropy";
            case LossOp.CrossEntropyGrad c -> "cross_entropy_grad";
            case LossOp.MseLoss m -> "mse_loss";
            case OptimizerOp.MomentumUpdate m -> {
                a.put("momentum", m.momentum()).put("weight_decay", m.weightDecay());
                yield "momentum_update";
            }
            case OptimizerOp.SgdApply s -> {
                a.put("lr", s.lr());
                yield "sgd_apply";
            }
            case OptimizerOp.AdamMoment m -> {
                a.put("beta", m.beta()).put("squared", m.squared());
                yield "adam_moment";
            }
            case OptimizerOp.AdamApply m -> {
                a.put("lr", m.lr()).put("beta1", m.beta1()).put("beta2", m.beta2()).put("eps", m.eps())
                        .put("weight_decay", m.weightDecay());
                yield "adamw_apply";
            }
            case OptimizerOp.StepIncrement s -> "step_increment";
            case PatchOp p -> PatchCodec.write(p, a);
            case RoutingOp r -> {
                if (r.capacity() > 0) {
                    a.put("capacity", r.capacity());
                }
                yield r.opName();
            }
        };
    }

    static Op read(String tag, JsonNode a, TensorType type, String where) {
        Attrs x = new Attrs(a, where + " (" + tag + ")");
        return switch (tag) {
            case "parameter" -> new SourceOp.Parameter(type, init(x.object("init"), where));
            case "state" -> new SourceOp.State(type, init(x.object("init"), where));
            case "input" -> new SourceOp.Input(type, inputKind(x.text("kind"), where));
            case "constant" -> new SourceOp.Constant(type, x.number("value"));
            case "matmul" -> new MatmulOp.MatMul(x.bool("trans_a"), x.bool("trans_b"));
            case "scale" -> new ElementwiseOp.Scale(x.number("alpha"));
            case "cast" -> new ElementwiseOp.Cast(type.dtype());
            case "reshape" -> new LayoutOp.Reshape(type.shape());
            case "permute" -> new LayoutOp.Permute(x.ints("perm"));
            case "broadcast" -> new LayoutOp.BroadcastTo(type.shape());
            case "reduce_sum" -> new ReductionOp.ReduceSum(x.ints("axes"), x.bool("keep_dims"));
            case "reduce_mean" -> new ReductionOp.ReduceMean(x.ints("axes"), x.bool("keep_dims"));
            case "softmax" -> new NormalizationOp.Softmax(x.bool("causal"));
            case "softmax_grad" -> new NormalizationOp.SoftmaxGrad();
            case "layer_norm" -> new NormalizationOp.LayerNorm(x.number("eps"));
            case "layer_norm_grad" -> new NormalizationOp.LayerNormGrad(x.number("eps"));
            case "layer_norm_gamma_grad" -> new NormalizationOp.LayerNormGammaGrad(x.number("eps"));
            case "embedding" -> new EmbeddingOp.Embedding();
            case "embedding_grad" -> new EmbeddingOp.EmbeddingGrad(x.integer("vocab"));
            case "cross_entropy" -> new LossOp.CrossEntropy();
            case "cross_entropy_grad" -> new LossOp.CrossEntropyGrad();
            case "mse_loss" -> new LossOp.MseLoss();
            case "momentum_update" -> new OptimizerOp.MomentumUpdate(x.number("momentum"), x.number("weight_decay"));
            case "sgd_apply" -> new OptimizerOp.SgdApply(x.number("lr"));
            case "adam_moment" -> new OptimizerOp.AdamMoment(x.number("beta"), x.bool("squared"));
            case "adamw_apply" -> new OptimizerOp.AdamApply(x.number("lr"), x.number("beta1"), x.number("beta2"),
                    x.number("eps"), x.number("weight_decay"));
            case "step_increment" -> new OptimizerOp.StepIncrement();
            case "im2col", "col2im" -> PatchCodec.read(tag, x);
            case "top2_dispatch", "top2_combine", "top2_combine_grad", "top1_mask" -> routing(tag, x);
            default -> {
                Op kind = KINDS.get(tag);
                if (kind == null) {
                    throw new GraphFormatException(where + ": unknown op '" + tag + "'; see docs/graph-json.md");
                }
                yield kind;
            }
        };
    }

    private static RoutingOp routing(String tag, Attrs x) {
        return switch (tag) {
            case "top2_dispatch" -> new RoutingOp.Top2Dispatch(x.integer("capacity"));
            case "top2_combine" -> new RoutingOp.Top2Combine(x.integer("capacity"));
            case "top2_combine_grad" -> new RoutingOp.Top2CombineGrad(x.integer("capacity"));
            default -> new RoutingOp.Top1Mask();
        };
    }

    private static SourceOp.InputKind inputKind(String tag, String where) {
        for (SourceOp.InputKind k : SourceOp.InputKind.values()) {
            if (k.name().toLowerCase(Locale.ROOT).equals(tag)) {
                return k;
            }
        }
        throw new GraphFormatException(where + ": input kind must be one of "
                + Arrays.stream(SourceOp.InputKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList());
    }

    private static void init(ObjectNode o, Init init) {
        switch (init) {
            case Init.Zeros z -> o.put("kind", "zeros");
            case Init.Ones one -> o.put("kind", "ones");
            case Init.Normal n -> o.put("kind", "normal").put("std", n.std());
            case Init.Uniform u -> o.put("kind", "uniform").put("bound", u.bound());
        }
    }

    private static Init init(JsonNode o, String where) {
        Attrs x = new Attrs(o, where + " (init)");
        return switch (x.text("kind")) {
            case "zeros" -> Init.zeros();
            case "ones" -> Init.ones();
            case "normal" -> Init.normal(x.number("std"));
            case "uniform" -> new Init.Uniform(x.number("bound"));
            default -> throw new GraphFormatException(where + ": init kind must be zeros, ones, normal or uniform");
        };
    }

    /** Typed attribute access naming the node and field on error. */
    record Attrs(JsonNode a, String where) {
        JsonNode get(String f) {
            JsonNode v = a == null ? null : a.get(f);
            if (v == null || v.isNull()) {
                throw new GraphFormatException(where + ": missing attribute '" + f + "'");
            }
            return v;
        }

        JsonNode object(String f) {
            JsonNode v = get(f);
            if (!v.isObject()) {
                throw new GraphFormatException(where + ": attribute '" + f + "' must be an object");
            }
            return v;
        }

        String text(String f) {
            JsonNode v = get(f);
            if (!v.isTextual()) {
                throw new GraphFormatException(where + ": attribute '" + f + "' must be text");
            }
            return v.asText();
        }

        double number(String f) {
            JsonNode v = get(f);
            if (!v.isNumber()) {
                throw new GraphFormatException(where + ": attribute '" + f + "' must be a number");
            }
            return v.asDouble();
        }

        int integer(String f) {
            JsonNode v = get(f);
            if (!v.isInt()) {
                throw new GraphFormatException(where + ": attribute '" + f + "' must be a whole number");
            }
            return v.asInt();
        }

        boolean bool(String f) {
            JsonNode v = get(f);
            if (!v.isBoolean()) {
                throw new GraphFormatException(where + ": attribute '" + f + "' must be true or false");
            }
            return v.asBoolean();
        }

        List<Integer> ints(String f) {
            JsonNode v = get(f);
            List<Integer> out = new ArrayList<>();
            if (!v.isArray()) {
                throw new GraphFormatException(where + ": attribute '" + f + "' must be an array of whole numbers");
            }
            for (JsonNode i : v) {
                if (!i.isInt()) {
                    throw new GraphFormatException(where + ": attribute '" + f + "' must be an array of whole numbers");
                }
                out.add(i.asInt());
            }
            return out;
        }
    }
}
