package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/** Strategies of one op applied to fresh operands, by name. */
final class OneOp {
    private OneOp() {
    }

    /** Operands: f32 parameters, or i32 inputs for types whose dtype is i32. */
    static List<ShardingStrategy> strategies(DeviceMesh mesh, PlannerOptions o, BiFunction<GraphBuilder, Value[], Value> op,
                                             TensorType... operands) {
        GraphBuilder b = new GraphBuilder();
        Value[] in = new Value[operands.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = operands[i].dtype().isFloating()
                    ? b.parameter("p" + i, operands[i], Init.zeros())
                    : b.input("p" + i, operands[i], InputKind.DATA);
        }
        Value out = op.apply(b, in);
        b.output("out", out);
        Graph g = b.build();
        return StrategySpace.enumerate(g, mesh, o).of(out.id());
    }

    static Map<String, ShardingStrategy> byName(List<ShardingStrategy> s) {
        return s.stream().collect(Collectors.toMap(ShardingStrategy::name, x -> x, (x, y) -> {
            throw new AssertionError("two strategies named " + x.name() + ": " + x + " / " + y);
        }));
    }
}
