package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class KernelArgsTest {

    @Test
    void values_sit_at_their_natural_alignment_little_endian() {
        byte[] struct = new byte[12];
        ByteBuffer.wrap(struct).order(ByteOrder.LITTLE_ENDIAN).putInt(3).putLong(0x1122334455667788L);
        KernelArgs a = KernelArgs.create().ptr(0xdeadbeef00L).i32(7).f32(1.5f).i64(-2).i32(9).struct(struct, 8);
        assertThat(a.count()).isEqualTo(6);
        assertThat(new int[] {a.offset(0), a.offset(1), a.offset(2), a.offset(3), a.offset(4), a.offset(5)})
                .containsExactly(0, 8, 12, 16, 24, 32);
        ByteBuffer b = ByteBuffer.wrap(a.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.limit()).isEqualTo(44);
        assertThat(b.getLong(0)).isEqualTo(0xdeadbeef00L);
        assertThat(b.getInt(8)).isEqualTo(7);
        assertThat(b.getFloat(12)).isEqualTo(1.5f);
        assertThat(b.getLong(16)).isEqualTo(-2);
        assertThat(b.getInt(24)).isEqualTo(9);
        assertThat(b.getInt(32)).isEqualTo(3);
    }

    @Test
    void large_argument_lists_grow_the_block() {
        KernelArgs a = KernelArgs.create();
        for (int i = 0; i < 100; i++) {
            a.i64(i);
        }
        ByteBuffer b = ByteBuffer.wrap(a.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 100; i++) {
            assertThat(b.getLong(8 * i)).isEqualTo(i);
        }
    }
}
