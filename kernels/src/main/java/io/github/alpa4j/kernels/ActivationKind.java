package io.github.alpa4j.kernels;

/** Activation functions; GELU is the tanh form of GPT-2. */
public enum ActivationKind { RELU, GELU }
