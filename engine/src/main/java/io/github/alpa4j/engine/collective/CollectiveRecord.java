package io.github.alpa4j.engine.collective;

/**
 * One collective as executed, seen from one device: its kind, the group's label (the mesh axis),
 * the group size, the bytes of the whole tensor it operated on (the B of the alpha-beta model:
 * the full result of an all-gather, the full input of a reduce-scatter or all-reduce), and the
 * nanoseconds this device spent in it (waiting for the slowest member included).
 */
public record CollectiveRecord(CollectiveKind kind, String group, int groupSize, long bytes, long nanos) {

    /** Per kind, the nanoseconds of the device that spent the most in it, over every device's records. */
    public static java.util.Map<String, Long> busiestNanos(java.util.List<java.util.List<CollectiveRecord>> devices) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (java.util.List<CollectiveRecord> device : devices) {
            java.util.Map<String, Long> mine = new java.util.TreeMap<>();
            for (CollectiveRecord r : device) {
                mine.merge(r.kind().code(), r.nanos(), Long::sum);
            }
            mine.forEach((kind, nanos) -> out.merge(kind, nanos, Math::max));
        }
        return out;
    }
}
