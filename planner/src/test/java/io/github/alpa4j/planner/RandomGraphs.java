package io.github.alpa4j.planner;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.ShapeException;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random small graphs of mixed ops (at most {@code maxNodes} nodes), for property tests. */
public final class RandomGraphs {
    private static final TensorType[] TYPES = {
        TensorType.f32(4, 8), TensorType.f32(8, 4), TensorType.f32(8, 8), TensorType.f32(4),
        TensorType.f32(8), TensorType.f32(2, 4, 8), TensorType.f32(4, 4)};

    private RandomGraphs() {
    }

    public static Graph graph(Random r, int maxNodes) {
        while (true) {
            Graph g = attempt(r, maxNodes);
            if (g != null) {
                return g;
            }
        }
    }

    private static Graph attempt(Random r, int maxNodes) {
        GraphBuilder b = new GraphBuilder();
        List<Value> vals = new ArrayList<>();
        List<Value> params = new ArrayList<>();
        int sources = 1 + r.nextInt(3);
        for (int i = 0; i < sources; i++) {
            TensorType t = TYPES[r.nextInt(TYPES.length)];
            Value v = r.nextBoolean() ? b.parameter("p" + i, t, Init.zeros()) : b.input("x" + i, t, InputKind.DATA);
            vals.add(v);
            if (b.node(v.id()).isParameter()) {
                params.add(v);
            }
        }
        int target = Math.min(maxNodes, sources + 1 + r.nextInt(maxNodes - sources));
        int tries = 0;
        while (b.size() < target && tries++ < 200) {
            Value a = vals.get(r.nextInt(vals.size()));
            Value c = vals.get(r.nextInt(vals.size()));
            try {
                Value v = switch (r.nextInt(12)) {
                    case 0, 1 -> b.matmul(a, c);
                    case 2 -> b.matmul(a, c, false, true);
                    case 3 -> b.add(a, c);
                    case 4 -> b.mul(a, c);
                    case 5 -> b.relu(a);
                    case 6 -> b.scale(a, 0.5);
                    case 7 -> a.rank() == 0 ? b.relu(a) : b.reduceSum(a, r.nextBoolean(), r.nextInt(a.rank()));
                    case 8 -> a.rank() == 0 ? b.scale(a, 2) : b.softmax(a, false);
                    case 9 -> a.rank() == 2 ? b.permute(a, 1, 0) : a.rank() == 0 ? b.relu(a) : b.reshape(a, (int) a.type().size());
                    case 10 -> b.mse(a, c);
                    default -> {
                        Value p = params.isEmpty() ? null : params.get(r.nextInt(params.size()));
                        if (p == null || !p.type().equals(a.type()) || p.id() == a.id() || b.size() + 1 > target) {
                            yield null;
                        }
                        Value next = b.apply(new OptimizerOp.SgdApply(0.1), p, a);
                        b.update(p, next);
                        params.remove(p);
                        yield next;
                    }
                };
                if (v != null) {
                    vals.add(v);
                }
            } catch (ShapeException e) {
                // operands that do not fit: try others
            }
        }
        if (b.size() <= sources) {
            return null;
        }
        b.output("out", vals.get(vals.size() - 1));
        return b.build();
    }
}
