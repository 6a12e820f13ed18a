package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.engine.energy.StragglerNotices;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --pipeline --energy-plan auto} from the command line, on simulated devices (a dry run, counters simulated
 * from the GPU model): the plan is deployed after the profiled steps, the metrics and the report carry each stage's
 * joules per iteration measured against predicted, the clocks of the last iteration in schedule order and the model's
 * saving; {@code energy straggler} writes the notice the run follows; conflicting or misplaced flags are one-line errors.
 */
class TrainEnergyPlanTest {
    private static final String[] PIPELINE = {"train", "--pipeline", "--model", "gpt", "--layers", "4", "--hidden", "32", "--heads", "2",
        "--seq", "8", "--vocab", "16", "--batch", "8", "--microbatches", "4", "--plan", "megatron:dp=1,tp=1,pp=4", "--mesh", "1x4",
        "--no-progress"};

    private static String[] with(String... more) {
        String[] a = new String[PIPELINE.length + more.length];
        System.arraycopy(PIPELINE, 0, a, 0, PIPELINE.length);
        System.arraycopy(more, 0, a, PIPELINE.length, more.length);
        return a;
    }

    @Test
    void autoDeploysThePlanAndReportsPerStageEnergy(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        Path report = dir.resolve("r.html");
        Path job = dir.resolve("job");
        Files.createDirectories(job);
        StragglerNotices.post(job, 1e-9); // faster than any point: the run keeps its fastest point, and says so
        MainTest.Run t = MainTest.run(with("--steps", "6", "--energy-plan", "auto", "--gpu", "h100", "--job-dir", job.toString(),
                "--json", json.toString(), "--report", report.toString()));
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("energy plan: profiling each stage's forward and backward over steps 2-4 at the current clock, 1980 MHz")
                .contains("energy plan: clocks deployed from step 5").contains("dry run: the other clocks are the model's, not measured")
                .containsPattern("frequency plan \\(dry run\\): would set GPU [0-3] to \\d+ MHz");
        JsonNode e = new ObjectMapper().readTree(json.toFile()).get("energy_plan");
        assertThat(e.get("source").asText()).isEqualTo("auto");
        assertThat(e.get("deployed_after_step").asInt()).isEqualTo(4);
        assertThat(e.get("clocks").asText()).startsWith("dry run");
        assertThat(e.get("saving_percent").asDouble()).isPositive();
        assertThat(e.get("saving_basis").asText()).contains("clocks were not set");
        assertThat(e.get("replayed_iteration_seconds").asDouble())
                .isCloseTo(e.get("planned_iteration_seconds").asDouble(), within(0.02 * e.get("planned_iteration_seconds").asDouble()));
        assertThat(e.get("switches")).hasSize(1);
        assertThat(e.get("stages")).hasSize(4).allSatisfy(st -> {
            assertThat(st.get("last_iteration_clocks")).hasSize(8);
            assertThat(st.get("measured_joules").asDouble()).isPositive();
            assertThat(st.get("measured_forward_joules").asDouble() + st.get("measured_backward_joules").asDouble())
                    .isLessThanOrEqualTo(st.get("measured_joules").asDouble() * 1.0001);
            assertThat(st.get("predicted_joules").asDouble()).isLessThanOrEqualTo(st.get("max_clock_joules").asDouble() + 1e-12);
        });
        // 1F1B on the last stage: F(3,0) B(3,0) F(3,1) ...
        assertThat(e.get("stages").get(3).get("last_iteration_clocks").get(1).asText()).startsWith("B(3,0)=");
        assertThat(Files.readString(report)).contains("Energy plan (auto)").contains("predicted J/iter (plan)");
    }

    @Test
    void theStragglerCommandAppendsNoticesAtomically(@TempDir Path dir) throws Exception {
        MainTest.Run a = MainTest.run("energy", "straggler", "--job", dir.toString(), "--time", "0.25");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).contains("straggler notice of 0.25 s written to");
        MainTest.Run b = MainTest.run("energy", "straggler", "--job", dir.toString(), "--time", "0");
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve(StragglerNotices.FILE))).containsExactly("0.25", "0.0");
        StragglerNotices n = new StragglerNotices(dir);
        assertThat(n.poll()).hasValue(0.0);
        assertThat(n.poll()).isEmpty();
        MainTest.Run bad = MainTest.run("energy", "straggler", "--job", dir.resolve("nope").toString(), "--time", "1");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip().lines().count()).as(bad.err()).isEqualTo(1);
        MainTest.Run negative = MainTest.run("energy", "straggler", "--job", dir.toString(), "--time", "-1");
        assertThat(negative.code()).isEqualTo(2);
    }

    @Test
    void misplacedOrConflictingFlagsAreOneLineErrors(@TempDir Path dir) {
        MainTest.Run both = MainTest.run(with("--steps", "1", "--energy-plan", "auto", "--frequency-plan", "auto"));
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err().strip().lines().count()).as(both.err()).isEqualTo(1);
        MainTest.Run noPlan = MainTest.run(with("--steps", "1", "--job-dir", dir.toString()));
        assertThat(noPlan.code()).isEqualTo(2);
        assertThat(noPlan.err()).contains("--job-dir goes with --energy-plan auto|FILE");
        MainTest.Run cpuApply = MainTest.run(with("--steps", "1", "--energy-plan", "auto", "--apply-clocks"));
        assertThat(cpuApply.code()).isEqualTo(2);
        assertThat(cpuApply.err()).contains("the CPU backend's devices are simulated");
        MainTest.Run sweepDry = MainTest.run(with("--steps", "1", "--energy-plan", "auto", "--energy-clocks", "1410,1005"));
        assertThat(sweepDry.code()).isEqualTo(2);
        assertThat(sweepDry.err()).contains("--energy-clocks steps the clocks while profiling: it needs --apply-clocks");
        MainTest.Run oneClock = MainTest.run(with("--steps", "1", "--energy-plan", "auto", "--apply-clocks", "--energy-clocks", "1410"));
        assertThat(oneClock.code()).isEqualTo(2);
        assertThat(oneClock.err()).contains("needs two clocks or more");
        MainTest.Run missing = MainTest.run(with("--steps", "1", "--energy-plan", dir.resolve("none.json").toString()));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }

    private static final String[] TWO = {"--model", "gpt", "--layers", "2", "--hidden", "32", "--heads", "2", "--seq", "8", "--vocab", "16",
        "--batch", "8", "--microbatches", "2", "--plan", "megatron:dp=4,tp=1,pp=2", "--no-progress"};

    private static String[] two(String[] head, String... more) {
        String[] a = new String[head.length + TWO.length + more.length];
        System.arraycopy(head, 0, a, 0, head.length);
        System.arraycopy(TWO, 0, a, head.length, TWO.length);
        System.arraycopy(more, 0, a, head.length + TWO.length, more.length);
        return a;
    }

    @Test
    void aMeasuredProfilePlansAndRuns(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("prof.csv");
        MainTest.Run p = MainTest.run(two(new String[] {"energy", "profile", "--pipeline"}, "--mesh", "1x8", "--out", csv.toString(),
                "--apply-clocks", "--clocks", "1410,1005,705", "--iterations", "1", "--gpu", "a100"));
        assertThat(p.code()).as(p.err()).isZero();
        // plan's energy on the measured profile instead of the model (--objective energy takes --plan auto; the time objective reports it too)
        Path plan = dir.resolve("plan.json");
        MainTest.Run pl = MainTest.run(two(new String[] {"plan"}, "--cluster", "cpu", "--hosts", "1", "--gpu", "a100", "--profile", csv.toString(),
                "--json", plan.toString()));
        assertThat(pl.code()).as(pl.err()).isZero();
        assertThat(pl.out()).contains("[measured]");
        JsonNode energy = new ObjectMapper().readTree(plan.toFile()).get("energy");
        assertThat(energy.get("candidates").get(0).get("name").asText()).endsWith("[measured]");
        assertThat(energy.get("frequency_plan").get(0).get("steps").get(0).get("mhz").asInt()).isIn(1410, 1005, 705);
        // the plan's clocks, then the profile's own frontier, deployed from the first step
        MainTest.Run fixed = MainTest.run(two(new String[] {"train", "--pipeline"}, "--mesh", "1x8", "--steps", "2", "--energy-plan", plan.toString()));
        assertThat(fixed.code()).as(fixed.err()).isZero();
        assertThat(fixed.out()).contains("frequency plan: 2 stages x 2 microbatches planned for A100-SXM4-80GB; dry run")
                .contains("energy plan: clocks from step 1");
        Path json = dir.resolve("m.json");
        MainTest.Run measured = MainTest.run(two(new String[] {"train", "--pipeline"}, "--mesh", "1x8", "--steps", "2", "--gpu", "a100",
                "--energy-plan", csv.toString(), "--json", json.toString()));
        assertThat(measured.code()).as(measured.err()).isZero();
        JsonNode e = new ObjectMapper().readTree(json.toFile()).get("energy_plan");
        assertThat(e.get("basis").asText()).contains("the measured profile");
        assertThat(e.get("frontier_points").asInt()).isPositive();
        assertThat(e.get("deployed_after_step").asInt()).isZero();
        assertThat(e.get("measured_iterations").asInt()).isEqualTo(2);
    }
}
