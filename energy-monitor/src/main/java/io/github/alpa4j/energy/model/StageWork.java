package io.github.alpa4j.energy.model;

/**
 * What one pipeline stage does for one microbatch on one GPU, as the planner's cost model counts
 * it: floating-point operations and bytes moved to and from device memory, forward and backward.
 */
public record StageWork(double forwardFlops, double forwardBytes, double backwardFlops, double backwardBytes) {
    public StageWork {
        if (!(forwardFlops >= 0) || !(forwardBytes >= 0) || !(backwardFlops >= 0) || !(backwardBytes >= 0)
                || forwardFlops + forwardBytes == 0 || backwardFlops + backwardBytes == 0) {
            throw new IllegalArgumentException("a stage must do some work forward and backward: " + forwardFlops + ", "
                    + forwardBytes + ", " + backwardFlops + ", " + backwardBytes);
        }
    }
}
