package io.github.alpa4j.ir;

import java.util.List;

/**
 * GShard's top-2 gating (Lepikhin et al. 2020, Algorithm 1; as Alpa's {@code top2_gating} in
 * alpa/model/moe.py): per group of S tokens, each token picks its two most probable experts from
 * gates [..., S, E]; a token takes position p in an expert's buffer of {@code capacity} slots, p
 * counting the earlier tokens of its group sent there (every first choice before any second
 * choice), and is dropped when p ≥ capacity. The kept gates of a token are renormalised to sum to 1.
 * The routing decision (which expert, which slot) is a constant of the step: gradients flow into the
 * combine weights' values, never through the choice.
 */
public sealed interface RoutingOp extends Op {

    /** What a routing op writes, for the kernels that compute all four from one pass over a group. */
    enum Output { DISPATCH, COMBINE, COMBINE_GRAD, TOP1 }

    /** The kernel output this op is. */
    Output output();

    /** Slots per expert per group (0 for {@link Top1Mask}, which has none). */
    int capacity();

    /** dispatch[..., s, e, c] = 1 where token s sits in slot c of expert e; input gates [..., S, E]. */
    record Top2Dispatch(int capacity) implements RoutingOp {
        @Override
        public String opName() {
            return "top2_dispatch";
        }

        @Override
        public Output output() {
            return Output.DISPATCH;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            return slots(this, in);
        }
    }

    /** combine[..., s, e, c] = the token's renormalised gate where it sits in slot c of expert e, else 0. */
    record Top2Combine(int capacity) implements RoutingOp {
        @Override
        public String opName() {
            return "top2_combine";
        }

        @Override
        public Output output() {
            return Output.COMBINE;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            return slots(this, in);
        }
    }

    /**
     * d gates of {@link Top2Combine}, the routing held fixed: with D = g1 + g2 the sum of a token's kept
     * gates (a dropped choice's g is 0) and u the gradient at each kept choice's slot, dg1 = (u1 − u2)·g2 / D²
     * and dg2 = (u2 − u1)·g1 / D² (exactly 0 for a token with one kept choice, whose weight is 1), 0 elsewhere.
     * Inputs (gates [..., S, E], dcombine [..., S, E, C]).
     */
    record Top2CombineGrad(int capacity) implements RoutingOp {
        @Override
        public String opName() {
            return "top2_combine_grad";
        }

        @Override
        public Output output() {
            return Output.COMBINE_GRAD;
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            TensorType g = gates(this, in);
            TensorType slots = slotsOf(this, g, in);
            if (!in.get(1).equals(slots)) {
                throw Op.mismatch(this, "dcombine must be " + slots, in);
            }
            return g;
        }
    }

    /** One-hot of each token's first choice, [..., S, E]: the "fraction routed" of the load-balancing loss. */
    record Top1Mask() implements RoutingOp {
        @Override
        public String opName() {
            return "top1_mask";
        }

        @Override
        public Output output() {
            return Output.TOP1;
        }

        @Override
        public int capacity() {
            return 0;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            return gates(this, in);
        }
    }

    @Override
    default int arity() {
        return 1;
    }

    /** A pass over the gates: a compare per gate and a write per output element. */
    @Override
    default long flops(List<TensorType> in, TensorType out) {
        return 2 * in.get(0).size();
    }

    private static TensorType gates(RoutingOp op, List<TensorType> in) {
        Op.requireFloat(op, in, 0);
        TensorType g = in.get(0);
        if (g.rank() < 2 || g.dim(-1) < 2) {
            throw Op.mismatch(op, "gates must be [..., S, E] with at least 2 experts", in);
        }
        return g;
    }

    private static TensorType slots(RoutingOp op, List<TensorType> in) {
        op.expectArity(in);
        return slotsOf(op, gates(op, in), in);
    }

    private static TensorType slotsOf(RoutingOp op, TensorType g, List<TensorType> in) {
        if (op.capacity() < 1) {
            throw Op.mismatch(op, "capacity must be positive, got " + op.capacity(), in);
        }
        int[] d = new int[g.rank() + 1];
        System.arraycopy(g.shape().dims(), 0, d, 0, g.rank());
        d[g.rank()] = op.capacity();
        return new TensorType(g.dtype(), Shape.of(d));
    }
}
