package io.github.alpa4j.energy.profile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TimeEnergyCurveTest {
    private static final Measurement TOP = new Measurement(0, Instruction.FORWARD, 1400, 0.0101, 30);

    private static TimeEnergyCurve curve(ExponentialEnergyModel model) {
        List<ExecutionOption> options = List.of(new ExecutionOption(1400, 0.0101, 30, 10, 30),
                new ExecutionOption(1200, 0.0125, 26, 12, 26), new ExecutionOption(1000, 0.0151, 24, 15, 24));
        return new TimeEnergyCurve(0, Instruction.FORWARD, options, model, TOP);
    }

    @Test
    void runsTheSlowestMeasuredFrequencyThatMeetsTheAssignedTime() {
        TimeEnergyCurve curve = curve(new ExponentialEnergyModel(6, -0.3, 24, 10));
        assertThat(curve.optionFor(10).frequencyMhz()).isEqualTo(1400);
        assertThat(curve.optionFor(11).frequencyMhz()).isEqualTo(1400);
        assertThat(curve.optionFor(12).frequencyMhz()).isEqualTo(1200);
        assertThat(curve.optionFor(14).frequencyMhz()).isEqualTo(1200);
        assertThat(curve.optionFor(15).frequencyMhz()).isEqualTo(1000);
        assertThat(curve.optionFor(9).frequencyMhz()).as("faster than any option: the fastest").isEqualTo(1400);
    }

    @Test
    void theLeastEnergyDurationIsTheCurvesMinimumWithinItsRange() {
        assertThat(curve(new ExponentialEnergyModel(6, -0.3, 24, 10)).leastEnergyQuanta()).isEqualTo(15);
        assertThat(curve(new ExponentialEnergyModel(1, 0.2, 20, 10)).leastEnergyQuanta()).isEqualTo(10);
    }
}
