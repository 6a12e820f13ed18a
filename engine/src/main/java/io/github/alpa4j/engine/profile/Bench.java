package io.github.alpa4j.engine.profile;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.List;

/**
 * Where a profile's numbers come from: the time of one piece of work with every device of a mesh
 * doing it at once (that is what a training step sees: a device shares the machine with the others).
 * The devices themselves ({@link DeviceBench}), or a script in tests.
 */
public interface Bench {
    /** The mesh the work runs on, {@code ROWSxCOLS}. */
    String mesh();

    /** Devices along {@code axes} in one group of the mesh. */
    int groupSize(MeshAxes axes);

    /** Devices of the mesh. */
    int devices();

    /**
     * How many devices run an op at once when a profile measures its rate: every device of the mesh; on a
     * machine with fewer cores than simulated devices, as many as the cores (more would take turns within
     * each timed round, and the rounds' times would follow the scheduler's turns; the contention factors
     * carry the rates to other counts).
     */
    default int opBusy() {
        return devices();
    }

    /** Seconds of one call of {@code op} on these (per-device) types, {@link #opBusy()} devices running it at once. */
    default double op(Op op, List<TensorType> in, TensorType out) {
        return op(op, in, out, opBusy());
    }

    /**
     * As {@link #op(Op, List, TensorType)}, each call on other buffers than the last, cycling through more memory than
     * the processor's caches hold: an op that reads what the step has not touched since its last iteration (an
     * optimizer's parameters and moments) finds it in main memory, not in the cache a loop on one set of buffers
     * keeps warm.
     */
    default double opCold(Op op, List<TensorType> in, TensorType out) {
        return op(op, in, out);
    }

    /** The same with only the first {@code busy} devices running it (the others idle): how devices slow each other. */
    double op(Op op, List<TensorType> in, TensorType out, int busy);

    /** Seconds of one collective of {@code kind} over {@code axes} moving {@code bytes} (as the alpha-beta model counts them), every group at once. */
    double collective(CollectiveKind kind, MeshAxes axes, long bytes);

    /**
     * Seconds of one step of a program of {@code ops} chained element-wise adds on tiny tensors (per device
     * {@link DispatchBench#local()}), run by the engine's runtime on {@link #opBusy()} devices: with a kernel timed on
     * its own, what the runtime adds to every op. Empty where the bench runs no programs (its kernels' times then
     * stand for the whole op).
     */
    default java.util.OptionalDouble programStep(int ops) {
        return java.util.OptionalDouble.empty();
    }

    /** Seconds of sending {@code bytes} from one device to another, the mesh's devices in pairs at once. */
    double sendRecv(long bytes);
}
