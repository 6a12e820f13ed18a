package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a careful new user tried (issue 16), each refused before any work in one line with exit code 2,
 * leaving an existing output file as it was; and the divergence guard's exit code 3.
 */
class UpFrontRefusalTest {
    static final String A100 = MainTest.A100;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --seq 100000                           | --batch 16 x --heads 4 x --seq 100000 x --seq 100000 (the attention scores) = 640,000,000,000 elements; one tensor holds at most 2,147,483,647",
        "train --hidden 2000000000 --heads 1          | --batch 16 x --seq 32 x 4 x --hidden 2000000000 (the MLP's activations) = 4,096,000,000,000 elements",
        "train --batch 2000000000                     | --batch 2000000000 x --heads 4 x --seq 32 x --seq 32 (the attention scores) = 8,192,000,000,000 elements",
        "train --hosts 1000000000 --mesh 2x2          | 1000000000 hosts of 8 devices make 8000000000 devices; alpa4j plans for at most 65536 (fewer --hosts)",
        "plan --hosts 1000000000 --cluster dgx-a100   | cluster dgx-a100: 1000000000 hosts of 8 devices make 8000000000 devices",
        "train --vocab 1000000000                     | --batch 16 x --seq 32 x --vocab 1000000000 (the logits) = 512,000,000,000 elements",
        "train --layers 8 --hidden 16384 --heads 8    | the training step on one device needs about",
        "train --layers 100000                        | --layers 100000 makes a training graph of about 17,200,050 nodes",
        "train --model mlp --depth 100000             | --depth 100000 makes a training graph of about",
        "plan --model mlp --plan dp --memory-budget 1 --cluster dgx-a100 --mesh 1x8 --width 30000 --depth 4 | plan dp keeps 40.25 GiB per device on mesh 1x8, over the memory budget of 1.00 GiB",
        "train --model mlp --width 200000             | --width 200000 x --width 200000 (a hidden layer's weights) = 40,000,000,000 elements",
        "train --model mlp --plan dp --mesh 1x2 --memory-budget 0.00001 | over the memory budget of 10.5 KiB",
        "train --optimizer sgd --momentum NaN         | Invalid value for option '--momentum': 'NaN' is not a finite number",
        "train --weight-decay NaN                     | Invalid value for option '--weight-decay': 'NaN' is not a finite number",
        "train --weight-decay -1                      | --weight-decay must be 0 or more, got -1.0",
        "train --optimizer sgd --momentum 1           | --momentum must be in [0, 1), got 1.0",
        "train --momentum 0.5                         | --momentum does nothing with --optimizer adamw",
        "train --microbatches 2                       | --microbatches does nothing without a pipeline",
        "train --schedule gpipe --mesh 1x2 --plan dp  | --schedule does nothing without a pipeline",
        "train --log-every -1                         | --log-every must be at least 1 step, got -1",
        "train --vocab 1                              | --vocab must be at least 2",
        "train --plan dp                              | --plan dp needs a --mesh ROWSxCOLS",
        "train --save-plan p.json                     | --save-plan does nothing on one device",
        "train --model mlp --layers 3                 | --layers does nothing with --model mlp",
        "train --energy-sample-ms 5                   | --energy-sample-ms does nothing without --energy",
        "train --rendezvous-timeout 5                 | --rendezvous-timeout does nothing without a launcher",
        "train --divergence-factor 1                  | --divergence-factor must be more than 1",
        "train --allow-divergence --divergence-factor 9 | --divergence-factor does nothing with --allow-divergence",
        "train --load-plan /nonexistent/p.json        | cannot read plan /nonexistent/p.json: no such file",
        "train --plan megatron:dp=1,tp=1,pp=2 --mesh 1x2 --memory-budget 0.000001 | no megatron:dp=1,tp=1,pp=2 pipeline plan fits the --memory-budget of 1.0 KiB per device",
        "rendezvous-check --timeout 1e300             | --timeout must be positive and at most 604800 s (a week), got 1.0E300",
        "launch --nproc-per-node 100000 -- train      | --nproc-per-node 100000: at most 1024 workers per host",
        "validate --backend tpu                       | --backend must be cpu or cuda, got 'tpu'",
        "launch --nnodes 1000 --nproc-per-node 1000 --master-addr h -- train | make 1000000 ranks; at most 65536",
        "train --json /                               | --json / is a directory",
        "train --json /dev/full                       | --json /dev/full is not a regular file",
        "train --checkpoint-dir /dev/null             | --checkpoint-dir /dev/null: /dev/null is not a directory",
        "plan --model mlp --mesh 1x2 --json /         | --json / is a directory",
        "plan --model mlp --mesh 1x2 --schedule gpipe | --schedule does nothing without a pipeline",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 12 --tau-ms 1e-6 | cuts the widest range of one computation's times",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 100000 | --stages 8 x --microbatches 100000 make a pipeline of 1,600,000 computations",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 1000 | at most 2e+08 are solved: use --tau-ms",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 12 --json " + A100 + " | is also an input of this command",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 12 --json / | --json / is a directory",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 12 --plot f.pdf | --plot f.pdf: the name must end in .svg or .png",
        "energy frontier --profile " + A100 + " --stages 8 --microbatches 12 --hidden 8 | --hidden does nothing with --profile"})
    void refusedInOneLineWithExitCode2(String args, String message) {
        MainTest.Run r = MainTest.run(args.trim().split("\\s+"));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContain("Exception", "\tat ");
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
    }

    @Test
    void aRefusedRunLeavesAnExistingOutputAsItWas(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        Files.writeString(json, "{\"earlier\": true}\n");
        MainTest.Run r = MainTest.run("train", "--seq", "100000", "--json", json.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(Files.readString(json)).isEqualTo("{\"earlier\": true}\n");
        Path profile = dir.resolve("p.csv");
        Files.copy(Path.of(A100), profile);
        byte[] before = Files.readAllBytes(profile);
        assertThat(MainTest.run("energy", "frontier", "--profile", profile.toString(), "--stages", "8", "--microbatches", "12",
                "--json", profile.toString()).code()).isEqualTo(2);
        assertThat(Files.readAllBytes(profile)).isEqualTo(before);
    }

    @Test
    void aReadOnlyOutputIsRefusedBeforeTheRun(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        Files.writeString(json, "{}");
        Assumptions.assumeTrue(json.toFile().setWritable(false) && !Files.isWritable(json), "root may write read-only files");
        MainTest.Run r = MainTest.run("train", "--steps", "1", "--json", json.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is not writable").doesNotContain("loss");
        assertThat(r.out()).doesNotContain("step ");
    }

    @Test
    void aDivergingRunStopsWithExitCode3AndItsMetricsUnlessAllowed(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("d.json");
        String[] run = {"train", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8", "--batch", "4",
            "--lr", "5", "--steps", "20", "--no-progress", "--json", json.toString()};
        MainTest.Run r = MainTest.run(run);
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err().strip().lines()).singleElement().asString()
                .startsWith("alpa4j: training diverged: loss rose from 2.071 at step 0 to").contains("more than 4 times the first",
                        "--allow-divergence");
        var j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("status").asText()).isEqualTo("diverged");
        assertThat(j.get("steps").size()).isLessThan(20);
        MainTest.Run allowed = MainTest.run(MainTest.args(run, "--allow-divergence"));
        assertThat(allowed.code()).as(allowed.err()).isZero();
        assertThat(new ObjectMapper().readTree(json.toFile()).get("steps")).hasSize(20);
    }
}
