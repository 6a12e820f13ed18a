package io.github.alpa4j.kernels;

/** Element-wise binary arithmetic. */
public enum BinaryKind { ADD, SUB, MUL, DIV }
