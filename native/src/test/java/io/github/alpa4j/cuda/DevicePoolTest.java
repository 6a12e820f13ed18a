package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool's accounting over a fake device with a fixed capacity. */
class DevicePoolTest {

    /** Hands out increasing addresses until {@code capacity} bytes are taken. */
    static final class FakeDevice implements RawDeviceMemory {
        final long capacity;
        final Map<Long, Long> allocated = new HashMap<>();
        long next = 0x1000_0000L;
        int mallocs;
        int frees;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        long used() {
            return allocated.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public long tryAllocate(long bytes) {
            if (used() + bytes > capacity) {
                return 0;
            }
            long a = next;
            next += bytes;
            allocated.put(a, bytes);
            mallocs++;
            return a;
        }

        @Override
        public void free(long address) {
            assertThat(allocated.remove(address)).as("free of a block the device handed out").isNotNull();
            frees++;
        }
    }

    @Test
    void a_repeated_step_mallocs_only_in_its_first_iteration() {
        FakeDevice dev = new FakeDevice(1L << 30);
        try (DevicePool pool = new DevicePool(dev)) {
            long[] sizes = {4096, 100, 1 << 20, 4096, 3000, 77_777};
            for (int step = 0; step < 5; step++) {
                List<DeviceBuffer> live = new ArrayList<>();
                for (long s : sizes) {
                    live.add(pool.allocate(s));
                }
                live.forEach(DeviceBuffer::close);
                assertThat(pool.stats().deviceMallocs()).as("mallocs after step %d", step).isEqualTo(sizes.length);
            }
            assertThat(pool.stats().reuses()).isEqualTo(4L * sizes.length);
            assertThat(dev.mallocs).isEqualTo(sizes.length);
        }
        assertThat(dev.allocated).as("close gives every block back").isEmpty();
    }

    @Test
    void bytes_in_use_peak_and_cache_follow_allocations_in_size_classes() {
        FakeDevice dev = new FakeDevice(1L << 30);
        try (DevicePool pool = new DevicePool(dev)) {
            DeviceBuffer a = pool.allocate(1000);   // class 1024
            DeviceBuffer b = pool.allocate(5000);   // class 5120
            assertThat(a.bytes()).isEqualTo(1000);
            assertThat(a.capacity()).isEqualTo(1024);
            assertThat(pool.stats()).isEqualTo(new PoolStats(6144, 6144, 0, 2, 0, 0));
            a.close();
            assertThat(pool.stats()).isEqualTo(new PoolStats(5120, 6144, 1024, 2, 0, 0));
            a.close(); // twice is harmless
            assertThat(pool.stats().bytesInUse()).isEqualTo(5120);
            DeviceBuffer c = pool.allocate(900);    // class 1024 again: the cached block
            assertThat(c.address()).isEqualTo(dev.allocated.keySet().stream().min(Long::compare).orElseThrow());
            assertThat(pool.stats()).isEqualTo(new PoolStats(6144, 6144, 0, 2, 0, 1));
            pool.resetPeak();
            b.close();
            c.close();
            assertThat(pool.stats()).isEqualTo(new PoolStats(0, 6144, 6144, 2, 0, 1));
            pool.releaseCache();
            assertThat(pool.stats()).isEqualTo(new PoolStats(0, 6144, 0, 2, 2, 1));
            assertThat(dev.allocated).isEmpty();
        }
    }

    @Test
    void running_out_releases_the_cache_and_retries_before_failing() {
        FakeDevice dev = new FakeDevice(8192);
        try (DevicePool pool = new DevicePool(dev)) {
            pool.allocate(4096).close();            // cached, 4096 of 8192 held
            DeviceBuffer big = pool.allocate(6000); // class 6144: fits only once the cache is released
            assertThat(dev.frees).isEqualTo(1);
            assertThat(pool.stats().bytesInUse()).isEqualTo(6144);
            assertThatThrownBy(() -> pool.allocate(4096))
                    .isInstanceOf(DeviceOutOfMemoryException.class)
                    .hasMessageContaining("could not allocate 4.0 KiB")
                    .hasMessageContaining("in use 6.0 KiB");
            big.close();
        }
    }

    @Test
    void out_of_memory_names_the_op_being_served() {
        try (DevicePool pool = new DevicePool(new FakeDevice(0)); OpScope s = OpScope.enter("softmax#4")) {
            assertThatThrownBy(() -> pool.allocate(1)).hasMessageContaining("for op softmax#4");
        }
    }

    @Test
    void closing_the_pool_frees_blocks_still_open_and_closes_their_buffers() {
        FakeDevice dev = new FakeDevice(1L << 20);
        DevicePool pool = new DevicePool(dev);
        DeviceBuffer open = pool.allocate(512);
        pool.allocate(256).close();
        pool.close();
        assertThat(dev.allocated).isEmpty();
        assertThat(open.isOpen()).isFalse();
        assertThatThrownBy(open::address).isInstanceOf(IllegalStateException.class);
        open.close();
        assertThatThrownBy(() -> pool.allocate(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void offsets_are_checked_against_the_requested_size() {
        try (DevicePool pool = new DevicePool(new FakeDevice(1L << 20))) {
            DeviceBuffer b = pool.allocate(100);
            assertThat(b.address(100)).isEqualTo(b.address() + 100);
            assertThatThrownBy(() -> b.address(101)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
