package io.github.alpa4j.engine.model;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;

/**
 * Builds the MoE of {@link MoeConfig}. Each expert layer is GShard's, as Alpa writes it in einsums
 * over groups G, tokens S, experts E, slots C, hidden M and expert width H:
 * <pre>
 *   gates    = softmax(GSM,ME->GSE)                      (in f32, as GShard computes its gating)
 *   dispatch, combine = top2_gating(gates)               [G,S,E,C]  (RoutingOp)
 *   expert_in  = GSEC,GSM->EGCM                          (dispatch)
 *   h          = relu(EGCM,EMH->EGCH)
 *   expert_out = EGCH,EHM->GECM
 *   y          = GSEC,GECM->GSM                          (combine)
 * </pre>
 * Each einsum is a batched matmul between reshapes and permutes, so the planner's loop-nest
 * strategies apply to it unchanged: the expert products are batched over E, and splitting E over a
 * mesh axis (expert parallelism) turns the permutes between G-split tokens and E-split experts into
 * all-to-all exchanges. The load-balancing loss is GShard's: E² · mean over (g, e) of the fraction
 * of group g's tokens whose first choice is e, times the mean gate of e in g (1 when balanced).
 */
public final class MoeModel {
    private MoeModel() {
    }

    public static Model build(MoeConfig c, Precision precision) {
        GptConfig g = c.gpt();
        DType dt = precision.compute();
        GraphBuilder b = new GraphBuilder();
        Value[] ins = Models.gptInputs(b, g, dt);
        Value x = ins[2];
        Value aux = null;
        for (int l = 0; l < g.layers(); l++) {
            try (var sc = b.scope("block" + l)) {
                x = Models.attentionHalf(b, g, x);
                Value m = Models.layerNorm(b, "ln2", x);
                Value y;
                if (MoeConfig.isMoeBlock(l)) {
                    Value[] moe = experts(b, c, m);
                    y = moe[0];
                    aux = aux == null ? moe[1] : b.add(aux, moe[1]);
                } else {
                    y = Models.mlpHalf(b, g, m, c.ffn());
                }
                x = b.add(x, y);
            }
        }
        Value ce = Models.lmHead(b, g, x, ins[1]);
        b.output("aux_loss", aux);
        b.output("loss", b.add(ce, b.scale(aux, c.auxWeight())));
        return new Model("moe", b.build(), "tokens", "targets", (long) g.batch() * g.seq());
    }

    /** The expert layer on [B, S, M]: its output [B, S, M] and its load-balancing loss (a scalar). */
    private static Value[] experts(GraphBuilder b, MoeConfig c, Value x) {
        GptConfig g = c.gpt();
        DType dt = x.type().dtype();
        int gr = c.groups();
        int s = c.groupSize();
        int m = g.hidden();
        int e = c.experts();
        int cap = c.capacity();
        int h = c.ffn();
        try (var sc = b.scope("moe")) {
            Value tokens = b.reshape(x, gr, s, m);
            Value wg = b.cast(b.parameter("gate/w", TensorType.f32(m, e), Init.normal(0.02)), dt);
            Value gates = b.softmax(b.cast(b.matmul(tokens, wg), DType.F32), false);
            Value dispatch = b.cast(b.apply(new RoutingOp.Top2Dispatch(cap), gates), dt);
            Value combine = b.cast(b.apply(new RoutingOp.Top2Combine(cap), gates), dt);
            // GSEC,GSM->EGCM
            Value in = b.matmul(b.reshape(dispatch, gr, s, e * cap), tokens, true, false);
            in = b.reshape(b.permute(b.reshape(in, gr, e, cap, m), 1, 0, 2, 3), e, gr * cap, m);
            // EGCM,EMH->EGCH and EGCH,EHM->EGCM, batched over the experts
            Value wi = b.cast(b.parameter("experts/wi", TensorType.f32(e, m, h), Init.normal(0.02)), dt);
            Value wo = b.cast(b.parameter("experts/wo", TensorType.f32(e, h, m), Init.normal(0.02 / Math.sqrt(2.0 * g.layers()))), dt);
            Value out = b.matmul(b.relu(b.matmul(in, wi)), wo);
            // EGCM -> GECM, then GSEC,GECM->GSM
            out = b.reshape(b.permute(b.reshape(out, e, gr, cap, m), 1, 0, 2, 3), gr, e * cap, m);
            Value y = b.matmul(b.reshape(combine, gr, s, e * cap), out);
            return new Value[] {b.reshape(y, g.batch(), g.seq(), m), loadBalancingLoss(b, gates)};
        }
    }

    /**
     * GShard's auxiliary loss on gates [G, S, E]: E² · mean over (g, e) of (fraction of group g's tokens whose
     * first choice is e) · (mean gate of e over group g). Sums scaled by the global counts, not means: a mean
     * kernel divides by its shard's count, and the planner may split the groups or tokens it averages.
     */
    public static Value loadBalancingLoss(GraphBuilder b, Value gates) {
        int gr = gates.dim(0);
        int s = gates.dim(1);
        int e = gates.dim(2);
        Value routed = b.reduceSum(b.apply(new RoutingOp.Top1Mask(), gates), false, 1);
        Value gateSum = b.reduceSum(gates, false, 1);
        return b.scale(b.reduceSum(b.mul(routed, gateSum), false, 0, 1), (double) e * e / ((double) s * s * gr * e));
    }
}
