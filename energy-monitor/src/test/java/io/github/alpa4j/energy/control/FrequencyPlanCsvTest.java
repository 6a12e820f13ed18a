package io.github.alpa4j.energy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.energy.EnergyInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrequencyPlanCsvTest {
    @Test
    void readsInstructionsInScheduleOrder() {
        FrequencyPlan p = FrequencyPlanCsv.parse("# stage 0 of a 1F1B schedule\ninstruction,frequency\nF(0,0),1410\n\nF(0,1), 1200\nB(0,0),1005\n", "p.csv");
        assertThat(p.steps()).containsExactly(new FrequencyPlan.Step("F(0,0)", 1410), new FrequencyPlan.Step("F(0,1)", 1200),
                new FrequencyPlan.Step("B(0,0)", 1005));
        assertThat(p.mhz("F(0,1)")).hasValue(1200);
        assertThat(p.mhz("B(9,9)")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "stage,frequency\\nF,1410            | p.csv line 1: expected the header 'instruction,frequency'",
        "instruction,frequency\\nF,fast      | p.csv line 2: frequency 'fast' is not a whole number of MHz",
        "instruction,frequency\\nF,0         | p.csv line 2: frequency must be positive, got 0",
        "instruction,frequency\\nF 1410      | p.csv line 2: expected instruction,frequency, got 'F 1410'",
        "instruction,frequency\\nF,1\\nF,2   | p.csv line 3: instruction F appears twice",
        "instruction,frequency\\n ,1410      | p.csv line 2: empty instruction",
        "instruction,frequency               | p.csv has no instructions",
        "# nothing                           | p.csv is empty"})
    void badRowsAreNamed(String text, String message) {
        assertThatThrownBy(() -> FrequencyPlanCsv.parse(text.replace("\\n", "\n"), "p.csv"))
                .isInstanceOf(EnergyInputException.class).hasMessageStartingWith(message);
    }

    @Test
    void aMissingFileIsAUserError() {
        assertThatThrownBy(() -> FrequencyPlanCsv.read(java.nio.file.Path.of("/nonexistent/plan.csv")))
                .isInstanceOf(EnergyInputException.class).hasMessageContaining("/nonexistent/plan.csv");
    }
}
