package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuDevice;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineStage;
import java.util.Set;

/**
 * What a run will hold at its peak, known before anything is allocated, against what its backend can
 * give: the JVM heap for the CPU backend (every simulated device lives in it), GPU 0's memory for
 * CUDA (every logical device shares it). A run that cannot fit is refused in one line saying how much
 * it needs, instead of failing with an OutOfMemoryError after minutes.
 */
public final class MemoryEstimate {
    private MemoryEstimate() {
    }

    /** The whole step on one device: variables and the most activations live at once. */
    public static long singleDevice(Graph training, Set<String> fetch) {
        return SingleDeviceExecutor.peakBytes(training, fetch);
    }

    /** Every device of an intra-op plan at its peak, as the plan predicts it. */
    public static long mesh(IntraOpPlan plan) {
        return Math.multiplyExact(plan.workingMemoryBytes(), (long) plan.mesh().deviceCount());
    }

    /** Every device of every stage at its peak (variables and the microbatches in flight), as the plan predicts it. */
    public static long pipeline(PipelinePlan plan) {
        long total = 0;
        for (PipelineStage s : plan.stages()) {
            total = Math.addExact(total, Math.multiplyExact(s.memoryBytes(), (long) s.mesh().deviceCount()));
        }
        return total;
    }

    /**
     * Refuses a run that needs {@code bytes} where the backend has less.
     *
     * @param what what needs them, e.g. "the step on 4 simulated devices"
     */
    public static void require(long bytes, boolean cuda, String what) {
        if (cuda) {
            var devices = Gpu.probe().devices();
            if (devices.isEmpty()) {
                return; // opening the GPU reports what is missing
            }
            GpuDevice gpu = devices.getFirst();
            if (bytes > gpu.totalMemoryBytes()) {
                throw new UserInputException(what + " needs about " + Units.bytes(bytes) + " but GPU 0 (" + gpu.name() + ") has "
                        + Units.bytes(gpu.totalMemoryBytes()) + "; use a smaller model or batch, or more microbatches");
            }
            return;
        }
        long free = heapAvailable();
        if (bytes > free) {
            throw new UserInputException(what + " needs about " + Units.bytes(bytes) + " but the JVM heap has " + Units.bytes(free)
                    + " available; use a smaller model or batch, or a larger heap (ALPA4J_JAVA_OPTS=-Xmx...)");
        }
    }

    /** Bytes the heap can still grow by: its maximum less what is in use now. */
    public static long heapAvailable() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }
}
