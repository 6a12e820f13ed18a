package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Coalescing of shapes and strides, worked out by hand. */
class StridesTest {
    @Test
    void aContiguousTensorIsOneRow() {
        Strides s = Strides.coalesce(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1});
        assertThat(s.rows()).isEqualTo(1);
        assertThat(s.inner()).isEqualTo(24);
        assertThat(s.innerStride(0)).isEqualTo(1);
    }

    /** A bias [4] added over [2, 3, 4]: six rows of four, the bias read from its start in each. */
    @Test
    void aBiasBroadcastIsRowsOfItsLength() {
        Strides s = Strides.coalesce(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {0, 0, 1});
        assertThat(s.rows()).isEqualTo(6);
        assertThat(s.inner()).isEqualTo(4);
        assertThat(s.rowOffset(5, 0)).isEqualTo(20);
        assertThat(s.rowOffset(5, 1)).isZero();
        assertThat(s.rowsDistinct(0)).isTrue();
        assertThat(s.rowsDistinct(1)).isFalse();
    }

    /** [B, S, H, D] read as [B, H, S, D] (attention's head split): D-long rows, H and S stay apart. */
    @Test
    void aPermutationKeepsItsDimensionsApart() {
        // input [2, 3, 4, 5] has strides 60, 20, 5, 1; output [2, 4, 3, 5] reads them as 60, 5, 20, 1
        Strides s = Strides.coalesce(new int[] {2, 4, 3, 5}, new long[] {60, 5, 20, 1});
        assertThat(s.inner()).isEqualTo(5);
        assertThat(s.rows()).isEqualTo(24);
        // row 13 = (b 1, h 0, s 1): 60 + 20
        assertThat(s.rowOffset(13, 0)).isEqualTo(80);
    }

    @Test
    void sizeOneDimensionsAndScalarsDropOut() {
        Strides s = Strides.coalesce(new int[] {1, 3, 1}, new long[] {99, 1, 7});
        assertThat(s.rows()).isEqualTo(1);
        assertThat(s.inner()).isEqualTo(3);
        Strides scalar = Strides.coalesce(new int[0], new long[0]);
        assertThat(scalar.rows()).isEqualTo(1);
        assertThat(scalar.inner()).isEqualTo(1);
        assertThat(Strides.coalesce(new int[] {3, 0}, new long[] {0, 1}).rows()).isZero();
    }

    /** A column sum of [3, 4] (output strides 0, 1) stays three rows adding into the same four outputs. */
    @Test
    void reducedDimensionsMergeOnlyWithEachOther() {
        Strides cols = Strides.coalesce(new int[] {3, 4}, new long[] {0, 1});
        assertThat(cols.rows()).isEqualTo(3);
        assertThat(cols.innerStride(0)).isEqualTo(1);
        Strides sumOverTwoInner = Strides.coalesce(new int[] {2, 3, 4}, new long[] {1, 0, 0});
        assertThat(sumOverTwoInner.inner()).isEqualTo(12);
        assertThat(sumOverTwoInner.innerStride(0)).isZero();
        assertThat(sumOverTwoInner.rows()).isEqualTo(2);
        assertThat(sumOverTwoInner.rowOffset(1, 0)).isEqualTo(1);
    }

    /** The cursor's running offsets are the divided-out ones, row after row, from any first row. */
    @Test
    void aCursorWalksTheRowsAsTheirOffsetsSay() {
        Strides s = Strides.coalesce(new int[] {2, 4, 3, 5}, new long[] {60, 5, 20, 1}, new long[] {0, 1, 0, 1});
        for (int first : new int[] {0, 5, 23}) {
            Strides.Cursor c = s.cursor(first);
            for (int row = first; row < s.rows(); row++, c.advance()) {
                assertThat(c.offset(0)).as("row %d", row).isEqualTo(s.rowOffset(row, 0));
                assertThat(c.offset(1)).as("row %d", row).isEqualTo(s.rowOffset(row, 1));
            }
        }
    }

    /** Runs are the innermost outer dimension: [2, 4, 3] rows walk in runs of 3, 20 apart in the input. */
    @Test
    void aCursorSkipsWholeRuns() {
        Strides s = Strides.coalesce(new int[] {2, 4, 3, 5}, new long[] {60, 5, 20, 1});
        assertThat(s.run()).isEqualTo(3);
        assertThat(s.runStride(0)).isEqualTo(20);
        Strides.Cursor c = s.cursor(0);
        for (int run = 0; run < s.rows() / s.run(); run++, c.nextRun()) {
            assertThat(c.offset(0)).as("run %d", run).isEqualTo(s.rowOffset(run * s.run(), 0));
        }
    }
}
