package io.github.alpa4j.engine.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValidatorStepsTest {
    @Test
    void shortStepsTrainUntilTheyFillHalfASecond() {
        assertThat(Validator.measuredSteps(8, 0.2)).as("slow steps: as asked").isEqualTo(8);
        assertThat(Validator.measuredSteps(8, 0.01)).as("50 steps fill half a second, one more left out").isEqualTo(51);
        assertThat(Validator.measuredSteps(100, 0.01)).isEqualTo(100);
        assertThat(Validator.measuredSteps(8, 1e-6)).as("capped").isEqualTo(Validator.MAX_MEASURED_STEPS);
        assertThat(Validator.measuredSteps(8, 0)).as("no warm-up step timed").isEqualTo(8);
    }
}
