package io.github.alpa4j.planner.plan;

import io.github.alpa4j.planner.cost.Resharding;

/** What input {@code input} of node {@code consumer} needs done to node {@code producer}'s output. */
public record EdgeResharding(int producer, int consumer, int input, Resharding resharding) {
}
