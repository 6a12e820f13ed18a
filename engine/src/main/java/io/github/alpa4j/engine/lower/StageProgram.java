package io.github.alpa4j.engine.lower;

import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.planner.stage.PipelineStage;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pipeline stage lowered for its own devices: its intra-op program, and for each of its devices
 * the instructions of a prologue (once per iteration), a forward pass, a backward pass (both once per
 * microbatch) and the update (once per iteration), with the loads, transfers, sums over microbatches and frees that surround
 * them. Everything here is decided when the plan is lowered; the runtime only runs it.
 *
 * @param firstDevice the number of this stage's first device among all stages' devices
 * @param devices     the passes of each of the stage's devices, in mesh order
 * @param outputs     the stage's named outputs (losses) → the slot the update frame holds their mean in
 */
public record StageProgram(PipelineStage stage, MeshProgram program, MeshGroups groups, int firstDevice,
                           List<DevicePasses> devices, Map<String, Integer> outputs) {
    public StageProgram {
        devices = List.copyOf(devices);
        outputs = Map.copyOf(outputs);
    }

    public int index() {
        return stage.index();
    }

    public int deviceCount() {
        return devices.size();
    }

    /**
     * What one device runs.
     *
     * @param prologue     once per iteration before the first microbatch: values of variables alone (weight casts)
     * @param perIteration the slots the prologue leaves for every microbatch to read
     * @param forward      one microbatch's forward pass
     * @param backward     one microbatch's backward pass
     * @param update       the optimizer step, on the mean of the accumulated gradients
     */
    public record DevicePasses(List<Instruction> prologue, Set<Integer> perIteration, Pass forward, Pass backward,
                               List<Instruction> update) {
        public DevicePasses {
            prologue = List.copyOf(prologue);
            perIteration = Set.copyOf(perIteration);
            update = List.copyOf(update);
        }
    }

    /**
     * One pass of one microbatch on one device, in three parts a timeline can tell apart.
     *
     * @param receive loads of the microbatch's inputs and receives from other stages
     * @param compute the pass's own instructions (its stage's collectives included)
     * @param send    sends to other stages, then sums over microbatches and frees of what the pass leaves
     */
    public record Pass(List<Instruction> receive, List<Instruction> compute, List<Instruction> send) {
        public Pass {
            receive = List.copyOf(receive);
            compute = List.copyOf(compute);
            send = List.copyOf(send);
        }
    }
}
