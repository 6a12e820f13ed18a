package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IntraOpPoolTest {
    @ParameterizedTest(name = "{0} threads, n {1}, grain {2}")
    @CsvSource({"1, 1000, 1", "3, 1000, 1", "3, 7, 1", "3, 1000, 400", "4, 5, 2", "2, 0, 1"})
    void everyIndexRunsExactlyOnce(int threads, int n, int grain) {
        try (IntraOpPool pool = new IntraOpPool(threads)) {
            for (int round = 0; round < 50; round++) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                pool.parallelFor(n, grain, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(seen.get(i)).as("index %d, round %d", i, round).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void chunksSpreadOverThreadsOnlyAboveTwoGrains() {
        try (IntraOpPool pool = new IntraOpPool(3)) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            pool.parallelFor(10, 6, (from, to) -> threads.add(Thread.currentThread().getName()));
            assertThat(threads).containsExactly(Thread.currentThread().getName());
            pool.parallelFor(3000, 1000, (from, to) -> {
                assertThat(to - from).isEqualTo(1000);
                threads.add(Thread.currentThread().getName());
            });
            assertThat(threads).hasSize(3);
        }
    }

    @Test
    void aWorkersFailureReachesTheCaller() {
        try (IntraOpPool pool = new IntraOpPool(2)) {
            assertThatThrownBy(() -> pool.parallelFor(100, 1, (from, to) -> {
                if (from > 0) {
                    throw new IllegalStateException("chunk at " + from);
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk at 50");
            // the pool still works afterwards
            AtomicIntegerArray seen = new AtomicIntegerArray(1);
            pool.parallelFor(100, 1, (from, to) -> seen.addAndGet(0, to - from));
            assertThat(seen.get(0)).isEqualTo(100);
        }
    }
}
