package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StridedLayoutTest {

    /** Offsets of output element i straight from the definition (row-major over dims). */
    static long offset(int[] dims, long[] strides, long i) {
        long off = 0;
        for (int d = dims.length - 1; d >= 0; d--) {
            off += (i % dims[d]) * strides[d];
            i /= dims[d];
        }
        return off;
    }

    @Test
    void contiguous_operands_collapse_to_rank_one() {
        StridedLayout l = StridedLayout.of(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1});
        assertThat(l.dims()).containsExactly(24);
        assertThat(l.strideA()).containsExactly(1);
        assertThat(l.strideB()).containsExactly(1);
    }

    @Test
    void a_row_broadcast_keeps_two_dimensions() {
        // [8, 5] + [5]: b has stride 0 along rows
        StridedLayout l = StridedLayout.of(new int[] {8, 5}, new long[] {5, 1}, new long[] {0, 1});
        assertThat(l.dims()).containsExactly(8, 5);
        assertThat(l.strideB()).containsExactly(0, 1);
        assertThat(l.extentA()).isEqualTo(40);
        assertThat(l.extentB()).isEqualTo(5);
    }

    @Test
    void size_one_dimensions_and_scalars() {
        StridedLayout l = StridedLayout.of(new int[] {1, 6, 1}, new long[] {0, 1, 0}, new long[] {99, 0, 7});
        assertThat(l.dims()).containsExactly(6);
        assertThat(l.strideB()).containsExactly(0);
        StridedLayout scalar = StridedLayout.of(new int[0], new long[0], new long[0]);
        assertThat(scalar.dims()).containsExactly(1);
        assertThat(scalar.size()).isEqualTo(1);
    }

    @Test
    void coalescing_never_changes_an_offset() {
        Random r = new Random(5);
        for (int trial = 0; trial < 2000; trial++) {
            int rank = r.nextInt(6);
            int[] dims = new int[rank];
            long[] sa = new long[rank];
            long[] sb = new long[rank];
            // A contiguous or permuted-contiguous, B broadcast along random dims
            long stride = 1;
            for (int d = rank - 1; d >= 0; d--) {
                dims[d] = 1 + r.nextInt(4);
                sa[d] = stride;
                stride *= dims[d];
            }
            if (rank > 1 && r.nextBoolean()) {
                int i = r.nextInt(rank);
                int j = r.nextInt(rank);
                long t = sa[i];
                sa[i] = sa[j];
                sa[j] = t;
                int u = dims[i];
                dims[i] = dims[j];
                dims[j] = u;
            }
            stride = 1;
            for (int d = rank - 1; d >= 0; d--) {
                sb[d] = r.nextInt(3) == 0 ? 0 : stride;
                stride *= sb[d] == 0 ? 1 : dims[d];
            }
            StridedLayout l = StridedLayout.of(dims, sa, sb);
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            assertThat(l.size()).isEqualTo(n);
            assertThat(l.rank()).isLessThanOrEqualTo(Math.max(1, rank));
            for (long i = 0; i < n; i++) {
                long[] o = l.offsets(i);
                assertThat(o[0]).isEqualTo(offset(dims, sa, i));
                assertThat(o[1]).isEqualTo(offset(dims, sb, i));
            }
        }
    }

    @Test
    void struct_bytes_match_common_cuh() {
        StridedLayout l = StridedLayout.of(new int[] {3, 4}, new long[] {1, 3}, new long[] {4, 1});
        ByteBuffer b = ByteBuffer.wrap(l.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.limit()).isEqualTo(200);
        assertThat(b.getInt(0)).isEqualTo(2);
        assertThat(b.getLong(8)).isEqualTo(3);
        assertThat(b.getLong(16)).isEqualTo(4);
        assertThat(b.getLong(24)).as("unused dims are 1").isEqualTo(1);
        assertThat(b.getLong(72)).isEqualTo(1);
        assertThat(b.getLong(80)).isEqualTo(3);
        assertThat(b.getLong(88)).as("unused strides are 0").isZero();
        assertThat(b.getLong(136)).isEqualTo(4);
        assertThat(b.getLong(144)).isEqualTo(1);
    }

    @Test
    void more_than_eight_uncoalescable_dimensions_are_refused() {
        int[] dims = new int[9];
        long[] s = new long[9];
        for (int d = 0; d < 9; d++) {
            dims[d] = 2;
            s[d] = 1L << (2 * (8 - d)); // gaps between dims: nothing merges
        }
        assertThatThrownBy(() -> StridedLayout.of(dims, s, s)).hasMessageContaining("rank 8 at most");
    }
}
