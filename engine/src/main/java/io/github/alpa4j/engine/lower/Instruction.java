package io.github.alpa4j.engine.lower;

import io.github.alpa4j.engine.collective.BlockTransfer;
import io.github.alpa4j.engine.collective.Collectives.Reduction;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.List;

/**
 * One step of a device program. Every device of a mesh runs the same list (SPMD) on its own shards;
 * slots are the program's tensor registers, each with one local type. Device-dependent values (which
 * vocabulary rows a shard holds, which block a slice keeps) come from the device's mesh coordinates
 * at run time. A pipeline stage's program adds what differs per device and per microbatch, as
 * Alpa's runtime emitter does (RUN, SEND, RECV, FREE): loading its block of the microbatch,
 * sending and receiving blocks of values crossing stages, and summing gradients over microbatches.
 */
public sealed interface Instruction {

    /** The slots this instruction reads (a free: the slot it releases). */
    default List<Integer> reads() {
        return switch (this) {
            case Compute c -> c.in();
            case VocabCrossEntropy v -> v.gradient() ? List.of(v.logits(), v.labels(), v.dloss()) : List.of(v.logits(), v.labels());
            case AllReduce a -> List.of(a.in());
            case AllGather a -> List.of(a.in());
            case ReduceScatter a -> List.of(a.in());
            case AllToAll a -> List.of(a.in());
            case Slice a -> List.of(a.in());
            case Free f -> List.of(f.slot());
            case Load l -> List.of();
            case Send x -> List.of(x.slot());
            case Recv x -> List.of();
            case Accumulate a -> List.of(a.storage());
            case Average a -> List.of();
        };
    }

    /** The slot this instruction writes, or -1 (a free). */
    default int written() {
        return switch (this) {
            case Compute c -> c.out();
            case VocabCrossEntropy v -> v.out();
            case AllReduce a -> a.out();
            case AllGather a -> a.out();
            case ReduceScatter a -> a.out();
            case AllToAll a -> a.out();
            case Slice a -> a.out();
            case Free f -> -1;
            case Load l -> l.slot();
            case Send x -> -1;
            case Recv x -> x.slot();
            case Accumulate a -> -1;
            case Average a -> a.storage();
        };
    }

    /** True if the instruction moves data between devices (a collective or a transfer), false if it is local. */
    default boolean movesData() {
        return switch (this) {
            case Compute c -> false;
            case VocabCrossEntropy v -> true;
            case AllReduce a -> true;
            case AllGather a -> true;
            case ReduceScatter a -> true;
            case AllToAll a -> true;
            case Slice a -> false;
            case Free f -> false;
            case Load l -> false;
            case Send x -> true;
            case Recv x -> true;
            case Accumulate a -> false;
            case Average a -> false;
        };
    }

    /**
     * Runs {@code op} locally. {@code meanCount} is the global element count a mean or loss divides
     * by (0: the local one); {@code vocabAxes} the mesh axes a table or logits are split over along
     * the vocabulary, from which the shard's first row follows.
     */
    record Compute(int node, Op op, List<Integer> in, int out, List<TensorType> inTypes, TensorType outType,
                   long meanCount, MeshAxes vocabAxes) implements Instruction {
        public Compute {
            in = List.copyOf(in);
            inTypes = List.copyOf(inTypes);
        }
    }

    /**
     * Vocabulary-parallel cross entropy (Megatron): row maxima, sums of exponentials and (for the
     * loss) target logits are reduced over {@code vocabAxes} between local kernels. {@code dloss} is
     * -1 for the loss, the slot of dL/dloss for the gradient.
     */
    record VocabCrossEntropy(int node, int logits, int labels, int dloss, int out, long rows, int localVocab,
                             MeshAxes vocabAxes, long meanCount) implements Instruction {
        public boolean gradient() {
            return dloss >= 0;
        }
    }

    /** Sums (or maxes) over the devices along {@code axes}, in place: {@code out} shares {@code in}'s storage. */
    record AllReduce(int in, int out, MeshAxes axes, Reduction op, TensorType type) implements Instruction {
    }

    /** Concatenates the shards of dimension {@code dim} over {@code axes}. */
    record AllGather(int in, int out, MeshAxes axes, int dim, TensorType inType, TensorType outType) implements Instruction {
    }

    /** Sums partial values over {@code axes}, each device keeping its block of dimension {@code dim}. */
    record ReduceScatter(int in, int out, MeshAxes axes, int dim, TensorType inType, TensorType outType) implements Instruction {
    }

    /** Moves the split over {@code axes} from dimension {@code fromDim} to {@code toDim}. */
    record AllToAll(int in, int out, MeshAxes axes, int fromDim, int toDim, TensorType inType, TensorType outType)
            implements Instruction {
    }

    /** Keeps this device's block of dimension {@code dim} along {@code axes}: local, no communication. */
    record Slice(int in, int out, MeshAxes axes, int dim, TensorType inType, TensorType outType) implements Instruction {
    }

    /** Releases a slot whose last reader has run. */
    record Free(int slot) implements Instruction {
    }

    /** Uploads this device's block of the microbatch's input {@code input} into {@code slot}. */
    record Load(int slot, String input) implements Instruction {
    }

    /** Sends one block of {@code slot} to a device of another stage. */
    record Send(int slot, BlockTransfer.Piece piece) implements Instruction {
    }

    /** Receives one block of {@code slot} from a device of another stage (the first block allocates the slot). */
    record Recv(int slot, BlockTransfer.Piece piece) implements Instruction {
    }

    /**
     * Adds this microbatch's value in {@code storage} to its sum over the iteration's microbatches
     * and releases the microbatch's buffer (the first microbatch's buffer becomes the sum).
     */
    record Accumulate(int storage) implements Instruction {
    }

    /**
     * Places the sum of {@code storage} over the microbatches, divided by {@code microbatches}, in the
     * slot and in every slot in {@code views} (reshapes of it the update reads): the mean gradient.
     */
    record Average(int storage, List<Integer> views, int microbatches) implements Instruction {
        public Average {
            views = List.copyOf(views);
        }
    }
}
