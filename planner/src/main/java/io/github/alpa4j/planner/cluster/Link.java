package io.github.alpa4j.planner.cluster;

/**
 * A communication link in the alpha-beta model: {@code alpha} is the latency of one collective
 * step in seconds, {@code beta} the seconds per byte (the inverse of the bus bandwidth).
 */
public record Link(double alpha, double beta) {
    public Link {
        if (!(alpha >= 0) || !(beta > 0) || Double.isInfinite(alpha) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("link needs alpha >= 0 and beta > 0, got " + alpha + ", " + beta);
        }
    }

    /** A link from a latency in microseconds and a bandwidth in GB/s (10^9 bytes per second). */
    public static Link of(double latencyMicros, double bandwidthGBps) {
        return new Link(latencyMicros * 1e-6, 1.0 / (bandwidthGBps * 1e9));
    }

    public double latencyMicros() {
        return alpha * 1e6;
    }

    public double bandwidthGBps() {
        return 1.0 / beta / 1e9;
    }
}
