package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.PatchOp;
import java.util.List;

/**
 * Window ops split the batch and the channels and keep the image whole: a window reads its
 * neighbours' rows, so a spatial split would need a halo exchange, which this planner does not
 * model. The channel loop maps to the window dimension's blocks because windows are channel-major
 * ({@link PatchOp}); a convolution split this way reads its input split over channels and leaves the
 * GEMM that follows partial over that axis.
 */
final class PatchStrategies {
    private PatchStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, PatchOp op) {
        // loops: batch, rows, columns, channels — the image loops unsplit
        boolean[] splittable = {true, false, false, true};
        int[] image = {0, -1, -1, 3};
        return switch (op) {
            case PatchOp.Im2Col i -> {
                int[] x = c.input(0).shape().dims();
                int[] loops = {x[0], c.output.dim(1), c.output.dim(2), x[3]};
                yield c.einsum(new Einsum(loops, splittable, new int[][] {image}, Einsum.identity(4)));
            }
            case PatchOp.Col2Im k -> {
                int[] y = c.output.shape().dims();
                int[] loops = {y[0], c.input(0).dim(1), c.input(0).dim(2), y[3]};
                yield c.einsum(new Einsum(loops, splittable, new int[][] {Einsum.identity(4)}, image));
            }
        };
    }
}
