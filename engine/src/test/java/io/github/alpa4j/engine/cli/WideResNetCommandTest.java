package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.WideResNet;
import io.github.alpa4j.engine.model.WideResNetConfig;
import io.github.alpa4j.ir.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --model wresnet} from the command line: trained on one device, a mesh and a pipeline; planned; its flags refused where wrong. */
class WideResNetCommandTest {
    static final String TINY = "--model wresnet --depth 14 --image 8 --base-channels 4 --classes 4 --batch 8 --steps 3 --seed 1";

    private static MainTest.Run run(String args) {
        return MainTest.run(args.trim().split("\\s+"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "''                                          | on cpu",
        "--mesh 2x2 --plan dp                        | mesh 2x2",
        "--mesh 1x4 --plan megatron:dp=2,pp=2 --microbatches 2 | 2 stages"})
    void trainsFromTheCommandLine(String extra, String where) {
        MainTest.Run r = run("train " + TINY + " " + extra);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wresnet: 51,312 parameters").contains("labelled by a teacher").contains(where);
    }

    @Test
    void theCliCountsTheParametersTheConfigDoes() {
        WideResNetConfig c = WideResNetConfig.of(14, 2, 4, 8, 4, 8);
        long graph = WideResNet.build(c, Precision.FP32).forward().parameters().stream().mapToLong(n -> n.type().size()).sum();
        assertThat(graph).isEqualTo(c.parameters()).isEqualTo(51_312);
        // Alpa's 250M case: 224x224, 50 layers, 160 base channels, width factor 2, 1024 classes
        assertThat(WideResNetConfig.of(50, 2, 160, 224, 1024, 1).parameters()).isBetween(245_000_000L, 255_000_000L);
    }

    @Test
    void plansAPipelinePlusDataParallelBaseline() {
        MainTest.Run r = run("plan --model wresnet --depth 14 --image 8 --base-channels 4 --classes 4 --batch 8"
                + " --plan megatron:dp=4,pp=2 --microbatches 2 --no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("megatron dp=4,tp=1,pp=2").contains("2 stages");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --model wresnet --depth 10            | depth must be 3·blocks + 2",
        "train --model wresnet --image 2             | image size must be at least 4",
        "train --model wresnet --classes 1           | at least 2 classes",
        "train --model wresnet --width-factor 0      | width factor must be positive",
        "train --model wresnet --heads 2             | --heads does nothing with --model wresnet",
        "train --model wresnet --width 8             | --width does nothing with --model wresnet",
        "train --model gpt --width-factor 2          | --width-factor does nothing with --model gpt",
        "train --model mlp --image 32                | --image does nothing with --model mlp",
        "train --model wresnet --image 100000 --batch 64 | one tensor holds at most"})
    void badFlagsGetOneLineAndExitCode2(String args, String message) {
        MainTest.Run r = run(args);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }
}
