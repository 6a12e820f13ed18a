package io.github.alpa4j.engine.model;

import io.github.alpa4j.ir.Graph;

/**
 * A built model: its forward graph (outputs {@code loss} and the prediction), the names of the
 * inputs a data source must feed, and how many tokens (or samples) one step processes.
 */
public record Model(String name, Graph forward, String dataInput, String labelInput, long tokensPerStep) {
}
