package io.github.alpa4j.engine.train;

/** What one training step measured. */
public record StepMetrics(long step, double loss, double seconds, double tokensPerSecond) {
}
