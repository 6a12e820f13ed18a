package io.github.alpa4j.planner.cost;

/**
 * How fast a device runs one family of memory-bound ops: a fixed cost per op and the bytes per second
 * it moves beyond that (time = overhead + bytes / rate), as fitted from measurements or assumed.
 */
public record Throughput(double overheadSeconds, double bytesPerSecond) {
    public Throughput {
        if (!(overheadSeconds >= 0) || !(bytesPerSecond > 0) || Double.isInfinite(overheadSeconds) || Double.isInfinite(bytesPerSecond)) {
            throw new IllegalArgumentException("a throughput needs overhead >= 0 and a positive rate, got " + overheadSeconds + " s, "
                    + bytesPerSecond + " B/s");
        }
    }

    /** The same work {@code factor} times slower (devices sharing a machine). */
    public Throughput slower(double factor) {
        return new Throughput(overheadSeconds * factor, bytesPerSecond / factor);
    }

    public double seconds(long bytes) {
        return overheadSeconds + bytes / bytesPerSecond;
    }
}
