package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpScopeTest {

    @Test
    void scopes_nest_and_restore() {
        assertThat(OpScope.current()).isEmpty();
        try (OpScope outer = OpScope.enter("layerNorm#3")) {
            assertThat(OpScope.current()).contains("layerNorm#3");
            try (OpScope inner = OpScope.enter("allReduce")) {
                assertThat(OpScope.current()).contains("allReduce");
            }
            assertThat(OpScope.current()).contains("layerNorm#3");
        }
        assertThat(OpScope.current()).isEmpty();
    }

    @Test
    void closing_out_of_order_is_a_programming_error() {
        OpScope outer = OpScope.enter("a");
        OpScope inner = OpScope.enter("b");
        try {
            assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class);
        } finally {
            inner.close();
            outer.close();
        }
        assertThat(OpScope.current()).isEmpty();
    }

    @Test
    void exceptions_name_the_call_the_error_and_the_op() {
        CudaException e = new CudaException("cudaMalloc(1024 bytes)", 2, "cudaErrorMemoryAllocation", "out of memory",
                Optional.of("matmul#7"));
        assertThat(e).hasMessage("cudaMalloc(1024 bytes) failed with cudaErrorMemoryAllocation (out of memory) while serving op matmul#7");
        assertThat(e.call()).isEqualTo("cudaMalloc(1024 bytes)");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.op()).contains("matmul#7");
        CudaException bare = new CudaException("cuLaunchKernel(softmax_f32)", 700, "", "", Optional.empty());
        assertThat(bare).hasMessage("cuLaunchKernel(softmax_f32) failed with error 700 outside any op");
    }
}
