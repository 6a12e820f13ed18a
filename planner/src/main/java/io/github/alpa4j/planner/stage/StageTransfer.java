package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Phase;

/**
 * A value one stage hands another for every microbatch: a forward value (an activation, sent after the
 * producer's forward pass) goes to a later stage; a gradient (sent after the producer's backward pass)
 * goes to an earlier one. The receiving stage's graph holds it as an input node of the same name.
 *
 * @param value node of the training graph whose value moves
 * @param phase the phase of that node: FORWARD for activations, BACKWARD for gradients
 * @param bytes the whole tensor's size (each side holds it laid out as its own plan says)
 */
public record StageTransfer(int value, int fromStage, int toStage, Phase phase, long bytes) {
}
