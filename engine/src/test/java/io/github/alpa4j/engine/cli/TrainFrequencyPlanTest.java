package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan --pipeline --json} then {@code train --pipeline --frequency-plan}: the plan's clocks reach the
 * frequency controller stage by stage (a dry run on simulated devices, against the planned GPU's clocks);
 * a plan of another pipeline, or one without clocks, is a one-line error.
 */
class TrainFrequencyPlanTest {
    private static final String[] MODEL = {"--model", "gpt", "--layers", "2", "--hidden", "32", "--heads", "2", "--seq", "8", "--vocab", "16",
        "--batch", "8", "--microbatches", "2", "--plan", "megatron:dp=4,tp=1,pp=2"};

    private static String[] with(String[] head, String... more) {
        String[] a = new String[head.length + MODEL.length + more.length];
        System.arraycopy(head, 0, a, 0, head.length);
        System.arraycopy(MODEL, 0, a, head.length, MODEL.length);
        System.arraycopy(more, 0, a, head.length + MODEL.length, more.length);
        return a;
    }

    @Test
    void trainingFollowsThePlansClocksInADryRun(@TempDir Path dir) {
        Path plan = dir.resolve("plan.json");
        MainTest.Run p = MainTest.run(with(new String[] {"plan"}, "--cluster", "cpu", "--hosts", "1", "--gpu", "a100", "--json", plan.toString(),
                "--no-progress"));
        assertThat(p.code()).as(p.err()).isZero();
        MainTest.Run t = MainTest.run(with(new String[] {"train", "--pipeline"}, "--mesh", "1x8", "--steps", "2", "--no-progress",
                "--frequency-plan", plan.toString()));
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("frequency plan: 2 stages x 2 microbatches planned for A100-SXM4-80GB; dry run")
                .containsPattern("frequency plan \\(dry run\\): would set GPU [0-7] to \\d+ MHz");
    }

    @Test
    void aPlanOfAnotherPipelineOrWithoutClocksIsRefused(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        MainTest.Run p = MainTest.run(with(new String[] {"plan"}, "--cluster", "cpu", "--hosts", "1", "--gpu", "a100", "--json", plan.toString(),
                "--no-progress"));
        assertThat(p.code()).as(p.err()).isZero();
        String[] four = with(new String[] {"train", "--pipeline"}, "--mesh", "1x8", "--steps", "1", "--frequency-plan", plan.toString());
        four[java.util.Arrays.asList(four).indexOf("--microbatches") + 1] = "4";
        four[java.util.Arrays.asList(four).indexOf("--batch") + 1] = "16";
        MainTest.Run t = MainTest.run(four);
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("the frequency plan is for 2 stages x 2 microbatches, this pipeline has 2 x 4");
        assertThat(t.err().strip().lines().count()).as(t.err()).isEqualTo(1);

        Path bare = dir.resolve("bare.json");
        Files.writeString(bare, "{\"format\": \"alpa4j-pipeline-plan\", \"microbatches\": 2}");
        MainTest.Run b = MainTest.run(with(new String[] {"train", "--pipeline"}, "--mesh", "1x8", "--steps", "1", "--frequency-plan", bare.toString()));
        assertThat(b.code()).isEqualTo(2);
        assertThat(b.err()).contains("no frequency plan in it");
        MainTest.Run noPipe = MainTest.run("train", "--steps", "1", "--frequency-plan", plan.toString());
        assertThat(noPipe.code()).isEqualTo(2);
        assertThat(noPipe.err()).contains("use it with --pipeline");
    }
}
