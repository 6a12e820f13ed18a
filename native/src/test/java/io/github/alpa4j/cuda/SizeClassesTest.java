package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizeClassesTest {

    @ParameterizedTest
    @CsvSource({
            "0, 256", "1, 256", "256, 256", "257, 512", "1000, 1024", "2048, 2048", "2049, 2304",
            "4096, 4096", "4097, 4608", "5000, 5120", "1048576, 1048576", "1048577, 1179648"})
    void worked_examples(long bytes, long expected) {
        // above 2 KiB the step is an eighth of the power of two below the size: 4097 -> step 512 -> 4608
        assertThat(SizeClasses.classOf(bytes)).isEqualTo(expected);
    }

    @Test
    void classes_cover_the_request_are_aligned_and_waste_at_most_an_eighth() {
        Random r = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long bytes = 1 + (long) (Math.pow(2, r.nextDouble() * 36));
            long c = SizeClasses.classOf(bytes);
            assertThat(c).isGreaterThanOrEqualTo(bytes);
            assertThat(c % SizeClasses.ALIGNMENT).isZero();
            if (bytes > 2048) {
                assertThat((double) (c - bytes) / bytes).isLessThanOrEqualTo(0.125);
            }
            assertThat(SizeClasses.classOf(c)).as("a class is its own class").isEqualTo(c);
        }
    }

    @Test
    void negative_sizes_are_refused() {
        assertThatThrownBy(() -> SizeClasses.classOf(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
