package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.kernels.CpuKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReduceLayoutTest {

    @Test
    void merges_neighbours_with_the_same_mark() {
        ReduceLayout l = ReduceLayout.of(new int[] {2, 3, 4, 5}, new boolean[] {false, false, true, true});
        assertThat(l.keptDims()).containsExactly(6);
        assertThat(l.keptStrides()).containsExactly(20);
        assertThat(l.reducedDims()).containsExactly(20);
        assertThat(l.reducedStrides()).containsExactly(1);
        assertThat(l.innermostReduced()).isTrue();
    }

    @Test
    void a_bias_gradient_reduces_the_leading_dimensions() {
        ReduceLayout l = ReduceLayout.of(new int[] {4, 7, 16}, new boolean[] {true, true, false});
        assertThat(l.keptDims()).containsExactly(16);
        assertThat(l.reducedDims()).containsExactly(28);
        assertThat(l.reducedStrides()).containsExactly(16);
        assertThat(l.innermostReduced()).isFalse();
        assertThat(l.outputs()).isEqualTo(16);
        assertThat(l.reducedCount()).isEqualTo(28);
    }

    @Test
    void everything_or_nothing_reduced() {
        ReduceLayout all = ReduceLayout.of(new int[] {3, 5}, new boolean[] {true, true});
        assertThat(all.keptDims()).isEmpty();
        assertThat(all.outputs()).isEqualTo(1);
        assertThat(all.reducedCount()).isEqualTo(15);
        ReduceLayout none = ReduceLayout.of(new int[] {3, 5}, new boolean[] {false, false});
        assertThat(none.reducedDims()).isEmpty();
        assertThat(none.reducedCount()).isEqualTo(1);
        assertThat(none.offset(7, 0)).isEqualTo(7);
    }

    @Test
    void summing_through_the_layout_equals_the_cpu_twin() {
        Random r = new Random(9);
        CpuKernels cpu = new CpuKernels();
        for (int trial = 0; trial < 500; trial++) {
            int rank = r.nextInt(6);
            int[] dims = new int[rank];
            boolean[] red = new boolean[rank];
            int n = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = 1 + r.nextInt(4);
                red[d] = r.nextBoolean();
                n *= dims[d];
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(100) - 50; // integers: every summation order gives the same sum
            }
            ReduceLayout l = ReduceLayout.of(dims, red);
            float[] want = new float[(int) l.outputs()];
            cpu.reduceSum(x, dims, red, 0.5f, want);
            for (long o = 0; o < l.outputs(); o++) {
                double s = 0;
                for (long k = 0; k < l.reducedCount(); k++) {
                    s += x[(int) l.offset(o, k)];
                }
                assertThat((float) (s * 0.5f)).as("output %d of dims %s", o, java.util.Arrays.toString(dims)).isEqualTo(want[(int) o]);
            }
        }
    }

    @Test
    void struct_bytes_match_common_cuh() {
        ReduceLayout l = ReduceLayout.of(new int[] {4, 7, 16}, new boolean[] {true, false, true});
        ByteBuffer b = ByteBuffer.wrap(l.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.limit()).isEqualTo(264);
        assertThat(b.getInt(0)).isEqualTo(1);
        assertThat(b.getInt(4)).isEqualTo(2);
        assertThat(b.getLong(8)).isEqualTo(7);     // keptDims[0]
        assertThat(b.getLong(16)).isEqualTo(1);    // keptDims[1], unused
        assertThat(b.getLong(72)).isEqualTo(16);   // keptStrides[0]
        assertThat(b.getLong(136)).isEqualTo(4);   // reducedDims[0]
        assertThat(b.getLong(144)).isEqualTo(16);  // reducedDims[1]
        assertThat(b.getLong(200)).isEqualTo(112); // reducedStrides[0]
        assertThat(b.getLong(208)).isEqualTo(1);   // reducedStrides[1]
    }
}
