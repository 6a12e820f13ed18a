package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;

/** Launches a family's kernels on a queue: a grid of blocks, or one thread per element over a GPU's SMs. */
record Launcher(KernelQueue queue, int sms) {
    void launch(KernelFamily family, String kernel, int grid, Dim3 block, KernelArgs args) {
        queue.launch(family, kernel, Dim3.of(grid), block, args);
    }

    /** One thread per element of {@code n} (none for n = 0). */
    void elementwise(KernelFamily family, String kernel, long n, KernelArgs args) {
        if (n > 0) {
            launch(family, kernel, Launch.elementwiseGrid(n, sms), Dim3.of(Launch.ELEMENTWISE_THREADS), args);
        }
    }
}
