package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Shape;
import java.util.List;

/**
 * Element-wise ops: one strategy per layout of the output; every operand is read in the same layout,
 * a broadcast operand replicated along the dimensions it is broadcast on. They follow their deepest
 * operand of the output's shape (REFERENCES §1), so follower merging gives them its variable. A cast
 * of a parameter may also gather its output ({@link ShardedMasterWeights#gathered}).
 */
final class ElementwiseStrategies {
    private ElementwiseStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, ElementwiseOp op) {
        List<ShardingStrategy> plain = c.einsum(broadcasting(c.output.shape(), c.inputs.stream().map(t -> t.shape()).toList()));
        return op instanceof ElementwiseOp.Cast && c.readsParameter ? ShardedMasterWeights.gathered(c, plain) : plain;
    }

    /** A cast of a parameter leads (the ILP chooses whether it gathers a sharded master weight); other casts follow. */
    static int leader(ElementwiseOp op, Node n, Graph g, int[] depth) {
        return switch (op) {
            case ElementwiseOp.Unary u -> 0;
            case ElementwiseOp.Scale s -> 0;
            case ElementwiseOp.Cast k -> g.node(n.input(0)).isParameter() ? -1 : 0;
            case ElementwiseOp.Binary b -> deepest(n, g, depth);
            case ElementwiseOp.ActivationGrad a -> deepest(n, g, depth);
        };
    }

    /** The deepest input with the output's shape (first among equals), or -1 if none has it. */
    static int deepest(Node n, Graph g, int[] depth) {
        int best = -1;
        for (int i = 0; i < n.inputs().size(); i++) {
            int in = n.input(i);
            if (g.node(in).type().shape().equals(n.type().shape()) && (best < 0 || depth[in] > depth[n.input(best)])) {
                best = i;
            }
        }
        return best;
    }

    /** A loop per output dimension; operands aligned on the right, NumPy style, broadcast dimensions unsplit. */
    static Einsum broadcasting(Shape out, List<Shape> operands) {
        int[][] in = new int[operands.size()][];
        for (int i = 0; i < in.length; i++) {
            Shape s = operands.get(i);
            int off = out.rank() - s.rank();
            in[i] = new int[s.rank()];
            for (int d = 0; d < s.rank(); d++) {
                in[i][d] = s.dim(d) == out.dim(d + off) ? d + off : -1;
            }
        }
        return Einsum.of(out.dims(), in, Einsum.identity(out.rank()));
    }
}
