package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One way to run a node on the mesh (Alpa's strategy). Each device reads its shards of the inputs as
 * {@code inputSpecs} say and computes its local result, laid out as {@code resultSpec} (partial over
 * the axes of split contracted dimensions); then the node runs {@code collectives} in order and ends
 * with its output laid out as {@code outputSpec}, never partial. Collectives inside the computation
 * (the max and sum all-reduces of vocabulary-parallel softmax) come first; the rest are exactly
 * {@code Resharding.between(resultSpec, outputSpec)}'s, followed by any local slice it implies.
 *
 * @param computeCost       seconds: this device's share of the op's FLOPs over the GPU's peak
 * @param communicationCost seconds: the alpha-beta cost of {@code collectives}
 * @param memoryBytes       bytes of the output shard each device holds
 */
public record ShardingStrategy(List<ShardingSpec> inputSpecs, ShardingSpec resultSpec, ShardingSpec outputSpec,
                               List<Collective> collectives, double computeCost, double communicationCost,
                               long memoryBytes) {
    public ShardingStrategy {
        inputSpecs = List.copyOf(inputSpecs);
        collectives = List.copyOf(collectives);
        if (outputSpec.isPartial()) {
            throw new IllegalArgumentException("a strategy's output must not be partial: " + outputSpec);
        }
    }

    public ShardingSpec inputSpec(int i) {
        return inputSpecs.get(i);
    }

    /** Alpa's notation: {@code output = input0 x input1 ...}, e.g. {@code RS1 = RR x RS1}. */
    public String name() {
        String out = outputSpec.toString();
        return inputSpecs.isEmpty() ? out
                : out + " = " + inputSpecs.stream().map(ShardingSpec::toString).collect(Collectors.joining(" x "));
    }

    @Override
    public String toString() {
        return name();
    }
}
