package io.github.alpa4j.ir;

/** Which part of a training step a node belongs to. */
public enum Phase {
    FORWARD, BACKWARD, UPDATE
}
