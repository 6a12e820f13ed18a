package io.github.alpa4j.planner.plan;

import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.sharding.Collective;

/**
 * One collective a plan implies: performed by node {@code node}'s strategy ({@code producer} = -1),
 * or by the resharding of {@code producer}'s output for {@code node}.
 */
public record PlannedCollective(int node, int producer, Phase phase, Collective collective, double cost) {
    public boolean isResharding() {
        return producer >= 0;
    }
}
