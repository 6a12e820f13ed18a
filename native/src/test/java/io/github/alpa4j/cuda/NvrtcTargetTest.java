package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NvrtcTargetTest {
    static final List<Integer> NVRTC_13 = List.of(75, 80, 86, 87, 89, 90, 100, 103, 110, 120, 121);

    @Test
    void a_known_architecture_gets_a_cubin() {
        assertThat(Nvrtc.target("sm_90", NVRTC_13)).contains("sm_90");
    }

    @Test
    void a_newer_one_gets_ptx_of_the_newest_known_below_it() {
        assertThat(Nvrtc.target("sm_130", NVRTC_13)).contains("compute_121");
        assertThat(Nvrtc.target("sm_91", NVRTC_13)).contains("compute_90");
    }

    @Test
    void an_older_one_than_any_known_gets_none() {
        assertThat(Nvrtc.target("sm_70", NVRTC_13)).isEmpty();
    }
}
