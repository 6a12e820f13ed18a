package io.github.alpa4j.energy.bench;

import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.PerseusData;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The numbers in bench/results/energy-frontier.md. Tagged {@code bench}, which the build
 * excludes; run with
 * {@code mvn -pl energy-monitor -am test -Dtest.excludedGroups= -Dtest.groups=bench -Dtest=FrontierBenchmarkRun -Dsurefire.failIfNoSpecifiedTests=false}
 * and read target/surefire-reports/io.github.alpa4j.energy.bench.FrontierBenchmarkRun-output.txt.
 */
@Tag("bench")
class FrontierBenchmarkRun {

    @Test
    void a100AndA40Profiles() {
        for (Dominance dominance : Dominance.values()) {
            FrontierBenchmark.run(PerseusData.profile(PerseusData.A100), PerseusData.A100, PerseusData.A100_BLOCKING_WATTS,
                    1e-3, new int[] {12, 24, 48, 96}, dominance, 5, System.out);
            FrontierBenchmark.run(PerseusData.profile(PerseusData.A40), PerseusData.A40, PerseusData.A40_BLOCKING_WATTS,
                    1e-4, new int[] {12, 24, 48, 96}, dominance, 3, System.out);
        }
    }
}
