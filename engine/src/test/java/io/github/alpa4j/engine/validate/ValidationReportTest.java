package io.github.alpa4j.engine.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.engine.train.CostCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationReportTest {
    private static Validator.Result result(String model, String mesh, String plan, double predicted, double measured) {
        return new Validator.Result(new ValidationCase(model, mesh, plan), plan, new CostCheck(predicted, measured, 1, 7, List.of()),
                Map.of());
    }

    private final ValidationReport report = new ValidationReport("test", List.of(
            result("gpt-m", "2x2", "dp", 0.010, 0.010),
            result("gpt-m", "2x2", "auto", 0.009, 0.011),
            result("gpt-m", "2x2", "megatron:dp=1,tp=1,pp=4", 0.006, 0.005),
            result("gpt-m", "2x2", "stages", 0.006, 0.0055),
            result("mlp-s", "1x2", "dp", 0.002, 0.001),
            result("mlp-s", "1x2", "auto", 0.001, 0.003)));

    @Test
    void eachAutomaticPlanAgainstTheFastestOfItsModelAndMeshAndOfThePlansItChoosesAmong() {
        Map<Validator.Result, Double> all = report.automaticOverFastest();
        Map<Validator.Result, Double> searched = report.automaticOverFastestSearched();
        List<Validator.Result> r = report.results();
        assertThat(all.get(r.get(1))).as("auto against the 4-stage pipeline").isCloseTo(2.2, within(1e-9));
        assertThat(searched.get(r.get(1))).as("auto against data parallelism: pipelines are not among its plans").isCloseTo(1.1, within(1e-9));
        assertThat(all.get(r.get(3))).isCloseTo(1.1, within(1e-9));
        assertThat(searched.get(r.get(3))).as("the stage search chooses among pipelines too").isCloseTo(1.1, within(1e-9));
        assertThat(searched.get(r.get(5))).isCloseTo(3, within(1e-9));
        assertThat(all.keySet()).containsExactly(r.get(1), r.get(3), r.get(5));
    }

    @Test
    void errorsAndDisagreements() {
        assertThat(report.largestError()).as("mlp-s dp predicted 2 ms, measured 1").isCloseTo(1.0, within(1e-9));
        // mlp-s: dp measured faster (1 ms) but predicted slower (2 ms) than auto (1 ms, measured 3)
        assertThat(report.disagreements()).hasSize(1);
        assertThat(report.disagreements().get(0).faster().c().plan()).isEqualTo("dp");
        assertThat(report.render()).contains("1.10 x the fastest of the plans it chooses among (one sharding of the whole mesh)");
    }
}
