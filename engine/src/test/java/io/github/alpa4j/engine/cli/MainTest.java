package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

public class MainTest {
    public record Run(int code, String out, String err) {
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --heads 5                      | heads (5) must divide the hidden size (64)",
        "train --hidden 0                     | hidden size must be positive",
        "train --layers -2                    | layers must be positive",
        "train --model resnet                 | unknown model 'resnet'",
        "train --frobnicate                   | Unknown option: '--frobnicate'",
        "train --steps 0                      | --steps must be positive",
        "train --lr -1                        | learning rate must be positive",
        "train --optimizer lamb               | unknown optimizer 'lamb'",
        "train --model mlp --depth 0          | MLP depth must be at least 1",
        "train --batch abc                    | Invalid value for option '--batch'",
        "train --pipeline --backend cuda --save-plan p.json | a pipeline is planned on every run",
        "train --pipeline --intra-op-only     | --intra-op-only contradicts --pipeline",
        "train --pipeline --microbatches 3    | --microbatches 3 does not divide the batch of 16",
        "train --plan megatron:dp=1,tp=1,pp=3 --mesh 1x2 | uses dp*tp*pp = 3 devices",
        "train --pipeline --save-plan p.json  | a pipeline is planned on every run",
        "train --backend tpu                  | --backend must be cpu or cuda, got 'tpu'",
        "train --precision tf32               | --precision tf32 needs --backend cuda",
        "plan --precision tf32                | --precision tf32 is a CUDA matmul mode of train",
        "train --backend cuda --precision fp8 | unknown precision 'fp8'",
        "launch-rockets                       | Unmatched argument",
        "launch --nnodes 0 -- train           | --nnodes must be at least 1, got 0",
        "launch --nnodes 2 --node-rank 2 -- train | --node-rank 2 must be in 0..1",
        "launch --nproc-per-node 0 -- train   | --nproc-per-node must be at least 1",
        "launch --master-port 70000 -- train  | --master-port 70000 is not a TCP port",
        "launch --nnodes 2 --master-port 0 -- train | --master-port 0 (any free port) works on one host only",
        "launch -- launch -- train            | cannot be 'launch' itself",
        "launch --nnodes 2                    | Missing required parameter: 'COMMAND'",
        "rendezvous-check                     | rendezvous-check runs under a launcher",
        "energy clocks --apply-clocks         | --apply-clocks needs --plan",
        "energy clocks --plan /nonexistent/p.csv | cannot read the frequency plan /nonexistent/p.csv",
        "plan --model mlp --mesh 4x4          | needs 16 devices but cluster cpu",
        "plan --cluster tpu                   | unknown cluster preset 'tpu'",
        "plan --model mlp --mesh 2y2          | cannot read mesh shape '2y2'",
        "plan --model mlp --plan zero         | unknown plan 'zero'",
        "plan --model mlp --mesh 1x4 --memory-budget 0.00001 | does not fit in",
        "plan --graph /nonexistent/g.json     | /nonexistent/g.json",
        "energy frontier --stages 2 --microbatches 4 | give either --profile",
        "energy frontier --model gpt --stages 2 --microbatches 4 --cluster cpu | knows no GPU like 'cpu-logical-device'",
        "energy frontier --model gpt --stages 2 --microbatches 3 | --microbatches (3) must divide the batch (16)",
        "energy frontier --model gpt --stages 3 --microbatches 4 | cannot split 2 layers into 3 stages",
        "energy frontier --profile p.csv --gpu a100 --stages 2 --microbatches 4 | --gpu describes the energy model's GPU",
        "energy frontier --model gpt --gpu b200 --stages 2 --microbatches 4 | unknown GPU 'b200'; use one of [a100, a40, h100, v100]",
        "energy check-model --profile /nonexistent/p.csv --gpu a100 | profile /nonexistent/p.csv does not exist",
        "energy check-model --profile /nonexistent/p.csv --gpu /nonexistent/g.json | GPU file /nonexistent/g.json does not exist",
        "energy calibrate --profile /nonexistent/p.csv --gpu a100 --out g.json | profile /nonexistent/p.csv does not exist"})
    void badInputGetsOneLineAndExitCode2(String args, String message) {
        Run r = run(args.trim().split("\\s+"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void cudaBackendWithoutAGpuSaysWhatIsMissing() {
        io.github.alpa4j.cuda.GpuReport gpu = io.github.alpa4j.cuda.Gpu.probe();
        org.junit.jupiter.api.Assumptions.assumeFalse(gpu.available(), "this machine has a GPU: the CUDA tests cover it");
        Run r = run("train", "--backend", "cuda", "--steps", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--backend cuda").contains("--backend cpu");
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }

    @Test
    void trainWritesTheDocumentedJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        Run r = run("train", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8",
                "--batch", "4", "--steps", "3", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("entropy floor", "tokens/s", "above it", "peak memory");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("steps")).hasSize(3);
        JsonNode s = j.get("steps").get(2);
        assertThat(s.get("step").asInt()).isEqualTo(2);
        assertThat(s.get("loss").asDouble()).isPositive();
        assertThat(s.get("tokens_per_s").asDouble()).isPositive();
        assertThat(j.get("entropy_floor").asDouble()).isBetween(0.0, Math.log(8) + 1e-9);
        assertThat(j.get("config").get("hidden").asInt()).isEqualTo(16);
    }

    @Test
    void mlpRunHasNoEntropyFloor(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        Run r = run("train", "--model", "mlp", "--steps", "2", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.has("entropy_floor")).isFalse();
        assertThat(j.get("model").asText()).isEqualTo("mlp");
    }

    @Test
    void doctorReportsWhatIsFoundAndNeverFails() {
        Run r = run("doctor");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("driver", "cudart", "nccl", "nvml", "verdict");
    }

    static final String A100 = "../energy-monitor/src/test/resources/perseus/a100sxm_gpt3-175b_8stage_profile.csv";

    @Test
    void energyFrontierOnTheA100ProfileWritesJsonAndPlot(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("f.json");
        Path plot = dir.resolve("f.svg");
        Run r = run("energy", "frontier", "--profile", A100, "--stages", "8", "--microbatches", "12",
                "--p-blocking", "83.64", "--tau-ms", "1", "--json", json.toString(), "--plot", plot.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("<- chosen", "15.20 %");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("fastest_time").asDouble()).isCloseTo(2.818, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(j.get("slowest_time").asDouble()).isGreaterThan(3.4);
        assertThat(j.get("saving_percent").asDouble()).isCloseTo(15.20, org.assertj.core.api.Assertions.within(0.01));
        assertThat(j.get("chosen").get("time").asDouble()).isCloseTo(2.818, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(j.get("points").size()).isGreaterThan(600);
        assertThat(java.nio.file.Files.readString(plot)).contains("<svg");
    }

    @Test
    void energyFrontierNamesTheBadRow(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("p.csv");
        java.nio.file.Files.writeString(csv, "stage,instruction,frequency,time,energy\n0,forward,1410,-0.05,3\n");
        Run r = run("energy", "frontier", "--profile", csv.toString(), "--stages", "1", "--microbatches", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("row 2").doesNotContain("\tat ");
    }

    @Test
    void planPrintsTheMegatronPatternAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("plan.json");
        Run r = run("plan", "--model", "mlp", "--depth", "2", "--width", "4096", "--in-dim", "1024", "--out-dim", "1024",
                "--batch", "8", "--cluster", "p3.16xlarge", "--mesh", "1x4", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("objective:", "iteration time:", "collectives implied by the plan", "RS1", "S1R");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("objective").asDouble()).isPositive();
        assertThat(j.get("iteration_time").asDouble()).isPositive();
    }

    @Test
    void anExportedGraphPlansLikeTheModel(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("g.json");
        Run a = run("plan", "--model", "gpt", "--layers", "1", "--mesh", "2x2", "--plan", "megatron", "--export-graph", g.toString());
        Run b = run("plan", "--graph", g.toString(), "--mesh", "2x2", "--plan", "megatron");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(objective(b.out())).isEqualTo(objective(a.out()));
    }

    static String objective(String report) {
        return report.lines().filter(l -> l.startsWith("objective:")).findFirst().orElseThrow();
    }

    static final String[] SMALL_GPT = {"--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8", "--batch", "4"};

    static String[] args(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void trainOnAMeshReportsCollectivesAndMemoryPerDevice(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        Run r = run(args(args(new String[] {"train"}, SMALL_GPT), "--mesh", "2x2", "--plan", "megatron", "--steps", "2",
                "--json", json.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("plan megatron on mesh 2x2", "comm", "all-reduce", "/device");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("steps").get(1).get("collective_bytes").get("all-reduce").asLong()).isPositive();
        assertThat(j.get("peak_bytes_by_device")).hasSize(4);
        assertThat(j.get("config").get("mesh").asText()).isEqualTo("2x2");
    }

    @Test
    void theAutomaticPlanOnAMeshSearchesStagesUnlessToldNotTo() {
        Run auto = run(args(args(new String[] {"train"}, SMALL_GPT), "--mesh", "2x2", "--plan", "auto", "--steps", "1"));
        assertThat(auto.code()).as(auto.err()).isZero();
        assertThat(auto.out()).contains("pipeline plan:   auto", "simulated pipeline");
        Run intra = run(args(args(new String[] {"train"}, SMALL_GPT), "--mesh", "2x2", "--plan", "auto", "--intra-op-only", "--steps", "1"));
        assertThat(intra.code()).as(intra.err()).isZero();
        assertThat(intra.out()).contains("plan auto on mesh 2x2").doesNotContain("pipeline plan");
    }

    @Test
    void trainRunsAPipelineWithTheLossesOfOneDevice(@TempDir Path dir) throws Exception {
        String[] gpt = {"--layers", "2", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8", "--batch", "4"};
        Path pipe = dir.resolve("pipe.json");
        Path one = dir.resolve("one.json");
        Run r = run(args(args(new String[] {"train"}, gpt), "--plan", "megatron:dp=1,tp=1,pp=2", "--mesh", "1x2",
                "--microbatches", "2", "--schedule", "gpipe", "--steps", "3", "--json", pipe.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 stages, 2 microbatches (gpipe)", "stage 1", "send-recv", "simulated pipeline 2 stages on 1x1, 1x1",
                "stage 1: forward", "(predicted");
        assertThat(run(args(args(new String[] {"train"}, gpt), "--steps", "3", "--json", one.toString())).code()).isZero();
        JsonNode p = new ObjectMapper().readTree(pipe.toFile());
        JsonNode o = new ObjectMapper().readTree(one.toFile());
        for (int s = 0; s < 3; s++) {
            double want = o.get("steps").get(s).get("loss").asDouble();
            assertThat(p.get("steps").get(s).get("loss").asDouble()).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * want));
        }
        assertThat(p.get("steps").get(0).get("collective_bytes").get("send-recv").asLong()).isPositive();
        assertThat(p.get("config").get("pipeline").asText()).contains("2 stages");
    }

    @Test
    void aSavedPlanRunsAgainButNotOnAnotherMeshOrModel(@TempDir Path dir) {
        Path plan = dir.resolve("plan.json");
        Run saved = run(args(args(new String[] {"train"}, SMALL_GPT), "--mesh", "1x4", "--steps", "1", "--save-plan", plan.toString()));
        assertThat(saved.code()).as(saved.err()).isZero();
        Run again = run(args(args(new String[] {"train"}, SMALL_GPT), "--load-plan", plan.toString(), "--steps", "1"));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("on mesh 1x4");
        Run otherMesh = run(args(args(new String[] {"train"}, SMALL_GPT), "--mesh", "2x2", "--load-plan", plan.toString()));
        assertThat(otherMesh.code()).isEqualTo(2);
        assertThat(otherMesh.err()).contains("was made for mesh 1x4, not 2x2").doesNotContain("\tat ");
        Run otherModel = run("train", "--layers", "2", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8", "--batch", "4",
                "--mesh", "1x4", "--load-plan", plan.toString());
        assertThat(otherModel.code()).isEqualTo(2);
        assertThat(otherModel.err()).contains("was made for another model");
    }

    @Test
    void energyFrontierFromTheEnergyModel(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("f.json");
        Run r = run("energy", "frontier", "--model", "gpt", "--layers", "4", "--hidden", "512", "--heads", "8", "--seq", "256",
                "--vocab", "2048", "--batch", "32", "--stages", "2", "--microbatches", "4", "--cluster", "dgx-a100",
                "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("energy model: gpt, 2 stages x 1 GPU of A100", "<- chosen");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("saving_percent").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(j.get("slowest_time").asDouble()).isGreaterThanOrEqualTo(j.get("fastest_time").asDouble());
    }

    @Test
    void calibrateWritesAGpuFileThatTheFrontierAndTheCheckRead(@TempDir Path dir) throws Exception {
        Path gpu = dir.resolve("a100.json");
        Run fit = run("energy", "calibrate", "--profile", A100, "--gpu", "a100", "--out", gpu.toString());
        assertThat(fit.code()).as(fit.err()).isZero();
        assertThat(fit.out()).contains("voltage knee", "power cap", "residuals", "stage 7 backward", "GPU file written");
        JsonNode file = new ObjectMapper().readTree(gpu.toFile());
        assertThat(file.get("power_curve").get("cap_w").asDouble()).isBetween(450.0, 500.0);
        assertThat(file.get("calibration").get("instructions").size()).isEqualTo(16);

        Run frontier = run("energy", "frontier", "--model", "gpt", "--layers", "4", "--hidden", "512", "--heads", "8", "--seq", "256",
                "--vocab", "2048", "--batch", "32", "--stages", "2", "--microbatches", "4", "--gpu", gpu.toString());
        assertThat(frontier.code()).as(frontier.err()).isZero();
        assertThat(frontier.out()).contains("2 stages x 1 GPU of A100-SXM4-80GB", "<- chosen");

        Path json = dir.resolve("check.json");
        Run check = run("energy", "check-model", "--profile", A100, "--gpu", gpu.toString(), "--json", json.toString());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).contains("all 608 points", "measured 15.20 %");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("energy_errors").get("median").asDouble()).isLessThan(0.03);
        assertThat(j.get("instructions").get(0).get("points").size()).isEqualTo(38);
    }

    @Test
    void calibrateRefusesTwoFrequenciesPerInstructionAndLeavesTheOldFile(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("p.csv");
        java.nio.file.Files.writeString(csv, """
                stage,instruction,frequency,time,energy
                0,forward,1410,0.050,23.8
                0,forward,1200,0.056,19.0
                0,forward,1000,0.066,18.0
                0,backward,1410,0.093,44.6
                0,backward,1200,0.104,36.0
                """);
        Path out = dir.resolve("gpu.json");
        java.nio.file.Files.writeString(out, "a GPU file from an earlier run");
        Run r = run("energy", "calibrate", "--profile", csv.toString(), "--gpu", "a100", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("stage 0 backward is measured at 2 frequencies; fitting the model needs 3 or more")
                .doesNotContain("\tat ");
        assertThat(java.nio.file.Files.readString(out)).isEqualTo("a GPU file from an earlier run");
        Run check = run("energy", "check-model", "--profile", csv.toString(), "--gpu", "a100");
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.err()).contains("needs 3 or more per instruction");
    }

    @Test
    void aGpt3SizedPipelineOnDgxA100SavesEnergyWhenSlowed(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("f.json");
        Run r = run("energy", "frontier", "--model", "gpt", "--layers", "96", "--hidden", "12288", "--heads", "96", "--seq", "2048",
                "--vocab", "50257", "--batch", "12", "--stages", "8", "--microbatches", "12", "--cluster", "dgx-a100",
                "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode points = new ObjectMapper().readTree(json.toFile()).get("points");
        double slowest = points.get(0).get("energy").asDouble();
        double fastest = points.get(points.size() - 1).get("energy").asDouble();
        assertThat(points.get(0).get("time").asDouble()).isGreaterThan(points.get(points.size() - 1).get("time").asDouble());
        assertThat(slowest).as("as measured on A100s, the slowest point uses less energy than the fastest").isLessThan(fastest);
    }
}
