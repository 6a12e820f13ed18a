package io.github.alpa4j.engine.collective;

/**
 * One collective as executed, seen from one device: its kind, the group's label (the mesh axis),
 * the group size, and the bytes of the whole tensor it operated on (the B of the alpha-beta model:
 * the full result of an all-gather, the full input of a reduce-scatter or all-reduce).
 */
public record CollectiveRecord(CollectiveKind kind, String group, int groupSize, long bytes) {
}
