package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PtxasReportTest {

    @Test
    void reads_each_kernels_registers_frame_and_spills() {
        String out = """
                ptxas info    : 0 bytes gmem
                ptxas info    : Compiling entry function 'spill' for 'sm_90'
                ptxas info    : Function properties for spill
                    1024 bytes stack frame, 40 bytes spill stores, 36 bytes spill loads
                ptxas info    : Used 255 registers, used 0 barriers, 1024 bytes cumulative stack size
                ptxas info    : Compile time = 117.598 ms
                ptxas info    : Compiling entry function 'k' for 'sm_90'
                ptxas info    : Function properties for k
                    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
                ptxas info    : Used 24 registers, used 1 barriers, 256 bytes smem
                """;
        assertThat(PtxasReport.parse(out).entries()).containsExactly(
                new PtxasReport.Entry("spill", 255, 1024, 40, 36),
                new PtxasReport.Entry("k", 24, 0, 0, 0));
    }
}
