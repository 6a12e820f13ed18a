package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code train --checkpoint-dir} and {@code --resume}: a run resumed from its checkpoint after step 2
 * gives, bit for bit, the losses of the uninterrupted run; on another mesh or plan, the same to 1e-5.
 */
class TrainResumeTest {
    static final String[] GPT = {"train", "--layers", "2", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8", "--batch", "4",
        "--steps", "5", "--no-progress"};

    static final String[][] LAYOUTS = {
        {},
        {"--mesh", "2x2", "--plan", "megatron"},
        {"--plan", "megatron:dp=1,tp=1,pp=2", "--mesh", "1x2", "--microbatches", "2"}};

    static String[] args(String[] a, String... more) {
        return MainTest.args(a, more);
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    static List<Double> losses(Path json) throws IOException {
        List<Double> out = new ArrayList<>();
        new ObjectMapper().readTree(json.toFile()).get("steps").forEach(s -> out.add(s.get("loss").asDouble()));
        return out;
    }

    /** Leaves only the checkpoint after {@code step}, as if the run had been killed after writing it. */
    static void keepOnly(Path dir, long step) throws IOException {
        String keep = String.format("step-%08d", step);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir) && !dir.relativize(p).toString().startsWith(keep)) {
                    Files.delete(p);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void aResumedRunGivesTheUninterruptedLossesBitForBit(int layout, @TempDir Path dir) throws IOException {
        String[] run = args(GPT, LAYOUTS[layout]);
        Path whole = dir.resolve("whole.json");
        Path resumed = dir.resolve("resumed.json");
        Path ck = dir.resolve("ck");
        MainTest.Run a = MainTest.run(args(run, "--json", whole.toString(), "--checkpoint-dir", ck.toString(), "--checkpoint-every", "2"));
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).contains("checkpoint " + ck.resolve("step-00000002"), "checkpoint " + ck.resolve("step-00000004"));
        keepOnly(ck, 2);
        MainTest.Run b = MainTest.run(args(run, "--json", resumed.toString(), "--resume", ck.toString()));
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).contains("resumed from " + ck.resolve("step-00000002") + " after step 2").doesNotContain("resharded");
        assertThat(losses(resumed)).hasSize(5).isEqualTo(losses(whole));
        assertThat(new ObjectMapper().readTree(resumed.toFile()).get("status").asText()).isEqualTo("completed");
        assertThat(ck.resolve("step-00000005").resolve("manifest.json")).exists();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void aMeshCheckpointResumesOnAnotherLayoutWithinTolerance(int layout, @TempDir Path dir) throws IOException {
        Path whole = dir.resolve("whole.json");
        Path ck = dir.resolve("ck");
        MainTest.Run a = MainTest.run(args(args(GPT, LAYOUTS[1]), "--json", whole.toString(), "--checkpoint-dir", ck.toString(),
                "--checkpoint-every", "2"));
        assertThat(a.code()).as(a.err()).isZero();
        keepOnly(ck, 2);
        Path resumed = dir.resolve("resumed.json");
        MainTest.Run b = MainTest.run(args(args(GPT, LAYOUTS[layout]), "--json", resumed.toString(), "--resume", ck.toString()));
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).contains("resharded from 4 devices to");
        List<Double> want = losses(whole);
        List<Double> got = losses(resumed);
        assertThat(got).hasSize(5);
        for (int s = 0; s < 5; s++) {
            assertThat(got.get(s)).isCloseTo(want.get(s), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    /**
     * fp16 with a loss scale that overflows at first and grows after 2 good steps: the resumed run starts
     * from the scale the uninterrupted run reached (replayed from the checkpoint's history), so its losses,
     * scales and skipped steps are the same bit for bit; a resume with other loss scaling is refused.
     */
    @Test
    void anFp16RunResumesWithItsLossScale(@TempDir Path dir) throws IOException {
        String[] gpt8 = String.join(" ", GPT).replace("--steps 5", "--steps 8").split(" ");
        String[] run = args(gpt8, "--precision", "fp16", "--loss-scale", "1e6", "--loss-scale-growth-interval", "2");
        Path whole = dir.resolve("whole.json");
        Path resumed = dir.resolve("resumed.json");
        Path ck = dir.resolve("ck");
        MainTest.Run a = MainTest.run(args(run, "--json", whole.toString(), "--checkpoint-dir", ck.toString(), "--checkpoint-every", "4"));
        assertThat(a.code()).as(a.err()).isZero();
        keepOnly(ck, 4);
        MainTest.Run b = MainTest.run(args(run, "--json", resumed.toString(), "--resume", ck.toString()));
        assertThat(b.code()).as(b.err()).isZero();
        var w = new ObjectMapper().readTree(whole.toFile()).get("steps");
        var r = new ObjectMapper().readTree(resumed.toFile()).get("steps");
        assertThat(w.get(0).get("skipped").asBoolean()).as("1e6 overflows f16").isTrue();
        assertThat(w.get(7).get("skipped").asBoolean() && w.get(6).get("skipped").asBoolean()).as("the scale came down").isFalse();
        assertThat(r).hasSize(8);
        for (int s = 0; s < 8; s++) {
            assertThat(r.get(s).get("loss_scale").asDouble()).as("step %d", s).isEqualTo(w.get(s).get("loss_scale").asDouble());
            assertThat(r.get(s).get("skipped").asBoolean()).as("step %d", s).isEqualTo(w.get(s).get("skipped").asBoolean());
        }
        assertThat(losses(resumed)).isEqualTo(losses(whole));
        keepOnly(ck, 4);
        MainTest.Run other = MainTest.run(args(gpt8, "--precision", "fp16", "--resume", ck.toString()));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("was made with loss_scale 1000000.0");
    }

    @Test
    void aCheckpointOfAnotherModelOrNoneAtAllIsRefusedInOneLine(@TempDir Path dir) {
        Path ck = dir.resolve("ck");
        assertThat(MainTest.run(args(GPT, "--checkpoint-dir", ck.toString())).code()).isZero();
        MainTest.Run other = MainTest.run("train", "--layers", "2", "--hidden", "32", "--heads", "2", "--seq", "8", "--vocab", "8",
                "--batch", "4", "--steps", "9", "--resume", ck.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("was made with hidden 16, this run has 32").doesNotContain("\tat ");
        assertThat(other.err().strip().lines()).hasSize(1);
        MainTest.Run done = MainTest.run(args(GPT, "--resume", ck.toString()));
        assertThat(done.code()).isEqualTo(2);
        assertThat(done.err()).contains("already reaches --steps 5");
        MainTest.Run empty = MainTest.run(args(GPT, "--resume", dir.toString()));
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("no complete checkpoint there");
        MainTest.Run every = MainTest.run(args(GPT, "--checkpoint-every", "3"));
        assertThat(every.code()).isEqualTo(2);
        assertThat(every.err()).contains("--checkpoint-every does nothing without --checkpoint-dir");
    }
}
