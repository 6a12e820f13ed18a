package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LaunchTest {

    @Test
    void row_blocks_give_each_thread_about_four_elements() {
        assertThat(Launch.rowBlock(1)).isEqualTo(32);
        assertThat(Launch.rowBlock(128)).isEqualTo(32);
        assertThat(Launch.rowBlock(129)).isEqualTo(64);
        assertThat(Launch.rowBlock(768)).isEqualTo(256);
        assertThat(Launch.rowBlock(4096)).isEqualTo(1024);
        assertThat(Launch.rowBlock(50_257)).isEqualTo(1024);
    }

    @Test
    void grids_cover_small_work_and_cap_large_work() {
        assertThat(Launch.elementwiseGrid(1, 132)).isEqualTo(1);
        assertThat(Launch.elementwiseGrid(257, 132)).isEqualTo(2);
        assertThat(Launch.elementwiseGrid(1L << 40, 132)).isEqualTo(132 * 32);
        assertThat(Launch.perItemGrid(7, 132)).isEqualTo(7);
        assertThat(Launch.perItemGrid(1_000_000, 132)).isEqualTo(132 * 32);
    }

    @Test
    void hidden_blocks_are_warp_multiples_up_to_256() {
        assertThat(Launch.hiddenBlock(1)).isEqualTo(32);
        assertThat(Launch.hiddenBlock(33)).isEqualTo(64);
        assertThat(Launch.hiddenBlock(768)).isEqualTo(256);
    }
}
