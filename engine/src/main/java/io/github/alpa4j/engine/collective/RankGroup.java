package io.github.alpa4j.engine.collective;

import java.util.List;

/**
 * The processes of one job as a runtime sees them: which of the plan's devices this process drives,
 * and an all-gather of host bytes among the processes (the outputs of a step, checkpoint records).
 * Devices are split into equal contiguous blocks, rank r driving devices r·n/size .. (r+1)·n/size − 1,
 * so the devices of a mesh row (or of a stage) stay together where they can. One process driving
 * every device is {@link #single()}.
 */
public interface RankGroup {
    /** This process's rank, from 0. */
    int rank();

    /** How many processes take part. */
    int size();

    /** How many devices the plan has, all processes together. */
    int devices();

    /**
     * Every rank's {@code mine}, in rank order; every rank calls it with the others, in the same order
     * of calls. Doubles as a barrier.
     */
    List<byte[]> allGather(byte[] mine);

    /** Tells the other ranks that this one failed, and why, so they stop at once naming it; idempotent. */
    void abort(String reason);

    /** The rank that drives {@code device}. */
    default int rankOf(int device) {
        if (device < 0 || device >= devices()) {
            throw new IllegalArgumentException("device " + device + " is not one of the " + devices());
        }
        return device / (devices() / size());
    }

    /** Whether this process drives {@code device}. */
    default boolean drives(int device) {
        return rankOf(device) == rank();
    }

    /** The first device {@code rank} drives. */
    default int firstDevice(int rank) {
        return rank * (devices() / size());
    }

    /** One process driving all {@code devices}. */
    static RankGroup single(int devices) {
        record Single(int devices) implements RankGroup {
            @Override
            public int rank() {
                return 0;
            }

            @Override
            public int size() {
                return 1;
            }

            @Override
            public List<byte[]> allGather(byte[] mine) {
                return List.of(mine.clone());
            }

            @Override
            public void abort(String reason) {
                // nobody else to tell
            }
        }
        return new Single(devices);
    }

    /**
     * Checks that {@code ranks} processes can share {@code devices} devices evenly.
     *
     * @return a one-line reason when they cannot, else null
     */
    static String unevenSplit(int devices, int ranks, String what) {
        if (devices < ranks) {
            return what + " has " + devices + (devices == 1 ? " device" : " devices") + ", fewer than the " + ranks
                    + " ranks: start at most " + devices + " ranks (one per device)";
        }
        if (devices % ranks != 0) {
            return what + " has " + devices + " devices, which " + ranks + " ranks cannot share evenly: start a divisor of "
                    + devices + " ranks";
        }
        return null;
    }
}
