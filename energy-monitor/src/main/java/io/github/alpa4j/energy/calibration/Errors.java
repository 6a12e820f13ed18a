package io.github.alpa4j.energy.calibration;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of signed relative errors ({@code model / measured − 1}): the median and the largest of
 * their absolute values, and their root mean square.
 */
public record Errors(double median, double largest, double rms, int count) {
    public static Errors of(List<Double> relative) {
        if (relative.isEmpty()) {
            throw new IllegalArgumentException("no errors to summarise");
        }
        double[] a = relative.stream().mapToDouble(Math::abs).sorted().toArray();
        int n = a.length;
        double median = n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
        double squares = Arrays.stream(a).map(x -> x * x).sum();
        return new Errors(median, a[n - 1], Math.sqrt(squares / n), n);
    }
}
