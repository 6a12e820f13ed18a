package io.github.alpa4j.energy.profile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CandidateOptionsTest {
    private static Measurement m(int mhz, double time, double energy) {
        return new Measurement(0, Instruction.FORWARD, mhz, time, energy);
    }

    @Test
    void dropsOptionsAnotherBeatsOnTimeAndEnergy() {
        List<Measurement> rows = List.of(m(1400, 0.0101, 30), m(1300, 0.0111, 28), m(1200, 0.0121, 26),
                m(1100, 0.0131, 25), m(1000, 0.0141, 27), m(900, 0.0151, 29));
        List<ExecutionOption> options = CandidateOptions.of(rows, 1e-3, 0, Dominance.RAW_ENERGY);
        assertThat(options).extracting(ExecutionOption::frequencyMhz).containsExactly(1400, 1300, 1200, 1100);
        assertThat(options).extracting(ExecutionOption::quanta).containsExactly(10L, 11L, 12L, 13L);
    }

    @Test
    void withThreeOrFewerSurvivorsFiltersAgainWithTheNoiseFactor() {
        // 1300 and 1200 are beaten by 1400 by less than 5 %: strict filtering leaves 2, the retry keeps them.
        List<Measurement> rows = List.of(m(1400, 0.0101, 20), m(1300, 0.0111, 20.5), m(1200, 0.0121, 20.8),
                m(1100, 0.0131, 19));
        assertThat(CandidateOptions.nonDominated(rows, 1.0, 0)).extracting(Measurement::frequencyMhz)
                .containsExactly(1400, 1100);
        assertThat(CandidateOptions.of(rows, 1e-3, 0, Dominance.RAW_ENERGY)).extracting(ExecutionOption::frequencyMhz)
                .containsExactly(1400, 1300, 1200, 1100);
    }

    @Test
    void equalQuantisedTimesKeepTheLargerEnergy() {
        List<Measurement> rows = List.of(m(1400, 0.0101, 30), m(1300, 0.0105, 29), m(1200, 0.0109, 28.5),
                m(1100, 0.0121, 26), m(1000, 0.0131, 25));
        List<ExecutionOption> options = CandidateOptions.of(rows, 1e-3, 0, Dominance.RAW_ENERGY);
        assertThat(options).extracting(ExecutionOption::frequencyMhz).containsExactly(1400, 1100, 1000);
    }

    @Test
    void anOptionAsFastAsACheaperOneIsBeatenUnderEitherDominance() {
        // Memory-bound: the SM clock does not change the time, only the energy, down to 1000 MHz;
        // below it compute dominates and time grows. The authors' strict comparison kept all four
        // equally fast options and then, keeping the larger energy, the highest clock.
        List<Measurement> rows = List.of(m(1400, 0.0104, 30), m(1300, 0.0104, 29), m(1200, 0.0104, 28),
                m(1000, 0.0104, 27), m(800, 0.0121, 27.5), m(600, 0.0152, 28.5));
        assertThat(CandidateOptions.nonDominated(rows, 1.0, 0)).extracting(Measurement::frequencyMhz)
                .containsExactly(1000);
        for (Dominance dominance : Dominance.values()) {
            List<ExecutionOption> options = CandidateOptions.of(rows, 1e-3, 80, dominance);
            assertThat(options.get(0).frequencyMhz()).as("%s: the fastest time at its least energy", dominance)
                    .isEqualTo(1000);
            assertThat(options.get(0).quanta()).isEqualTo(10);
        }
    }

    @Test
    void effectiveDominanceKeepsTheCheapestOptionOfAQuantum() {
        // 1300 and 1200 finish within the 10th quantum like 1400, a little later and cheaper: the
        // quantised curve cannot tell them apart by time, so under effective energy the cheapest
        // serves that time; the authors' rule (raw) keeps the costliest, the closest to the quantum.
        List<Measurement> rows = List.of(m(1400, 0.0101, 30), m(1300, 0.0105, 29), m(1200, 0.0109, 28.5),
                m(1100, 0.0121, 26), m(1000, 0.0131, 25));
        assertThat(CandidateOptions.of(rows, 1e-3, 0, Dominance.RAW_ENERGY)).extracting(ExecutionOption::frequencyMhz)
                .containsExactly(1400, 1100, 1000);
        assertThat(CandidateOptions.of(rows, 1e-3, 0, Dominance.EFFECTIVE_ENERGY))
                .extracting(ExecutionOption::frequencyMhz).containsExactly(1200, 1100, 1000);
    }

    @Test
    void effectiveEnergySubtractsBlockingPowerOverTheQuantisedTime() {
        ExecutionOption option = CandidateOptions.of(List.of(m(1400, 0.0509, 24), m(1200, 0.0601, 22)), 1e-3, 80,
                        Dominance.RAW_ENERGY)
                .get(0);
        assertThat(option.quanta()).isEqualTo(50);
        assertThat(option.effectiveEnergyJoules()).isCloseTo(24 - 80 * 0.050, within(1e-12));
    }

    @Test
    void effectiveEnergyDominanceKeepsSlowOptionsThatSaveBlockedTime() {
        // 1000 MHz costs 0.2 J more than 1100 MHz but computes 2 ms the GPU would spend blocked at
        // 80 W (0.16 J): 0.04 J more effective energy, beaten either way. 900 MHz costs 0.1 J more
        // raw energy than 1100 MHz for 4 ms more (0.32 J): 0.22 J less effective energy, worth keeping.
        List<Measurement> rows = List.of(m(1400, 0.0081, 28), m(1300, 0.0091, 27), m(1200, 0.0101, 26),
                m(1100, 0.0121, 25), m(1000, 0.0141, 25.2), m(900, 0.0161, 25.1));
        assertThat(CandidateOptions.of(rows, 1e-3, 80, Dominance.RAW_ENERGY))
                .extracting(ExecutionOption::frequencyMhz).containsExactly(1400, 1300, 1200, 1100);
        assertThat(CandidateOptions.of(rows, 1e-3, 80, Dominance.EFFECTIVE_ENERGY))
                .extracting(ExecutionOption::frequencyMhz).containsExactly(1400, 1300, 1200, 1100, 900);
    }

    @Test
    void quantisingRoundsDownButKeepsExactMultiplesWhole() {
        assertThat(CandidateOptions.quantise(0.0509, 1e-3)).isEqualTo(50);
        assertThat(CandidateOptions.quantise(0.05, 1e-3)).isEqualTo(50);
        assertThat(CandidateOptions.quantise(0.3, 1e-4)).isEqualTo(3000);
    }
}
