package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.RoutingOp;
import java.util.Arrays;
import java.util.List;

/**
 * Top-2 gating splits only its groups (the leading dimensions): a token's slot counts the earlier
 * tokens of its whole group, and its choice compares all experts, so the sequence, expert and
 * capacity dimensions stay whole and each device routes the groups it holds, without communication.
 * Expert parallelism comes after, where the dispatched tokens meet the expert-sharded weights.
 */
final class RoutingStrategies {
    private RoutingStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, RoutingOp op) {
        int[] gates = c.input(0).shape().dims();
        int r = gates.length;
        int[] loops = Arrays.copyOf(gates, r + 1);
        loops[r] = Math.max(1, op.capacity());
        boolean[] splittable = new boolean[r + 1];
        for (int i = 0; i < r - 2; i++) {
            splittable[i] = true;
        }
        int[] g = Einsum.identity(r);
        int[] slots = Einsum.identity(r + 1);
        return switch (op) {
            case RoutingOp.Top2Dispatch t -> c.einsum(new Einsum(loops, splittable, new int[][] {g}, slots));
            case RoutingOp.Top2Combine t -> c.einsum(new Einsum(loops, splittable, new int[][] {g}, slots));
            case RoutingOp.Top2CombineGrad t -> c.einsum(new Einsum(loops, splittable, new int[][] {g, slots}, g));
            case RoutingOp.Top1Mask t -> c.einsum(new Einsum(loops, splittable, new int[][] {g}, g));
        };
    }
}
