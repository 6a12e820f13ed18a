package io.github.alpa4j.engine.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.UserInputException;
import org.junit.jupiter.api.Test;

class RankGpusTest {
    private static LaunchEnv rank(int rank, int local) {
        return new LaunchEnv(rank, 16, local, "host0", 29500, "torchrun");
    }

    @Test
    void eachLocalRankTakesTheGpusAfterThoseOfTheLowerLocalRanks() {
        assertThat(RankGpus.select(rank(0, 0), 1, null, 8, false)).containsExactly(0);
        assertThat(RankGpus.select(rank(13, 5), 1, null, 8, false)).containsExactly(5);
        assertThat(RankGpus.select(rank(3, 3), 2, null, 8, false)).containsExactly(6, 7);
    }

    @Test
    void aRankBoundToItsOwnGpusByTheLauncherTakesThemWhateverItsLocalRank() {
        // srun --gpus-per-task=2: CUDA_VISIBLE_DEVICES holds this task's two GPUs, which CUDA numbers 0 and 1
        assertThat(RankGpus.select(rank(5, 3), 2, null, 2, true)).containsExactly(0, 1);
        // without the variable two GPUs are the host's, and local rank 3 has none of them
        assertThatThrownBy(() -> RankGpus.select(rank(5, 3), 2, null, 2, false)).isInstanceOf(UserInputException.class);
        // a host's GPUs shown in full are shared out by local rank, the variable set or not
        assertThat(RankGpus.select(rank(5, 1), 2, null, 4, true)).containsExactly(2, 3);
    }

    @Test
    void devicesListsTheHostsGpusForAllItsRanks() {
        int[] listed = {4, 5, 6, 7};
        assertThat(RankGpus.select(rank(0, 0), 1, listed, 8, false)).containsExactly(4);
        assertThat(RankGpus.select(rank(9, 1), 2, listed, 8, false)).containsExactly(6, 7);
    }

    @Test
    void aHostWithTooFewGpusIsRefusedInOneLine() {
        assertThatThrownBy(() -> RankGpus.select(rank(2, 2), 1, null, 2, false)).isInstanceOf(UserInputException.class)
                .hasMessage("rank 2 (local rank 2) drives 1 device and would take GPU 2, but this host shows 2 GPUs: start at most 2 ranks"
                        + " on this host (one per GPU), or name the GPUs with --devices");
        assertThatThrownBy(() -> RankGpus.select(rank(1, 1), 2, null, 3, false)).isInstanceOf(UserInputException.class)
                .hasMessageContaining("would take GPUs 2-3, but this host shows 3 GPUs: start at most 1 ranks on this host (one per 2 GPUs)");
    }

    @Test
    void aDevicesListTooShortOrNamingAMissingGpuIsRefused() {
        assertThatThrownBy(() -> RankGpus.select(rank(1, 1), 2, new int[] {0, 1, 2}, 8, false)).isInstanceOf(UserInputException.class)
                .hasMessage("--devices lists 3 GPUs but rank 1 (local rank 1) drives 2 devices and takes entries 2-3 of it: under a launcher"
                        + " --devices lists this host's GPUs for all its ranks, 2 per local rank");
        assertThatThrownBy(() -> RankGpus.select(rank(0, 0), 1, new int[] {9}, 8, false)).isInstanceOf(UserInputException.class)
                .hasMessage("--devices gives GPU 9 to rank 0 (local rank 0), but this host shows 8 GPUs: list GPUs 0-7");
    }
}
