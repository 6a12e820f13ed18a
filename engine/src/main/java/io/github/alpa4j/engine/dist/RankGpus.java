package io.github.alpa4j.engine.dist;

import io.github.alpa4j.engine.UserInputException;
import java.util.Arrays;

/**
 * Which GPUs of its host a rank drives when each process of a job drives its own (one process per
 * GPU, as torchrun's LOCAL_RANK picks {@code cuda:LOCAL_RANK}): a rank driving {@code per} devices of
 * the plan takes the {@code per} GPUs after those of the lower local ranks, GPUs
 * {@code localRank·per .. localRank·per + per − 1}; with {@code --devices}, which lists this host's
 * GPUs for all its ranks alike (every rank gets the same command line), the entries at those
 * positions. A launcher that binds each task to its own GPUs (Slurm's {@code --gpus-per-task},
 * {@code --gpu-bind}) leaves the process only those in {@code CUDA_VISIBLE_DEVICES}: a rank that sees
 * exactly as many GPUs as it drives, with that variable set, takes them all whatever its local rank.
 * Refusals are one line saying what to change.
 */
public final class RankGpus {
    private RankGpus() {
    }

    /**
     * @param env     this rank's place in the job (its local rank picks the GPUs)
     * @param per     how many of the plan's devices this rank drives
     * @param listed  the GPUs of --devices, or null without the flag
     * @param visible how many GPUs this host shows
     * @param bound   whether CUDA_VISIBLE_DEVICES is set (the launcher may have bound this process to its GPUs)
     * @return the GPU ordinal of each device this rank drives, in device order
     * @throws UserInputException when the host has too few GPUs or --devices lists too few
     */
    public static int[] select(LaunchEnv env, int per, int[] listed, int visible, boolean bound) {
        if (per < 1) {
            throw new IllegalArgumentException("a rank drives at least one device, got " + per);
        }
        int from = env.localRank() * per;
        int to = from + per; // exclusive
        String who = "rank " + env.rank() + " (local rank " + env.localRank() + ") drives " + per + (per == 1 ? " device" : " devices");
        if (listed != null) {
            if (listed.length < to) {
                throw new UserInputException("--devices lists " + listed.length + (listed.length == 1 ? " GPU" : " GPUs") + " but " + who
                        + " and takes entries " + range(from, to) + " of it: under a launcher --devices lists this host's GPUs for all its ranks,"
                        + " " + per + " per local rank");
            }
            int[] mine = Arrays.copyOfRange(listed, from, to);
            for (int g : mine) {
                if (g >= visible) {
                    throw new UserInputException("--devices gives GPU " + g + " to rank " + env.rank() + " (local rank " + env.localRank()
                            + "), but this host shows " + gpus(visible)
                            + ": list GPUs 0-" + Math.max(0, visible - 1));
                }
            }
            return mine;
        }
        if (bound && visible == per) {
            from = 0; // the launcher left this process its own GPUs only
        } else if (to > visible) {
            throw new UserInputException(who + " and would take GPU" + (per == 1 ? " " : "s ") + range(from, to) + ", but this host shows "
                    + gpus(visible) + ": start at most " + visible / per + " ranks on this host (one per " + (per == 1 ? "GPU" : per + " GPUs")
                    + "), or name the GPUs with --devices");
        }
        int[] mine = new int[per];
        for (int i = 0; i < per; i++) {
            mine[i] = from + i;
        }
        return mine;
    }

    private static String range(int from, int to) {
        return to - from == 1 ? String.valueOf(from) : from + "-" + (to - 1);
    }

    private static String gpus(int n) {
        return n + (n == 1 ? " GPU" : " GPUs");
    }
}
