package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan --pipeline --logical-shapes all}: every factorisation of a submesh, beside Alpa's default. */
class LogicalShapesCommandTest {

    static JsonNode plan(Path dir, String shapes) throws Exception {
        Path json = dir.resolve(shapes + ".json");
        // 4 hosts of 8: the 32-device submesh has shapes beyond a host's GPUs (2 x 16) that only 'all' tries
        MainTest.Run r = MainTest.run("plan", "--pipeline", "--cluster", "p3.16xlarge", "--hosts", "4", "--layers", "2",
                "--hidden", "64", "--batch", "32", "--microbatches", "4", "--logical-shapes", shapes, "--time-limit", "5",
                "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void allTriesMoreLogicalMeshesAndPlansNoWorse(@TempDir Path dir) throws Exception {
        JsonNode inHost = plan(dir, "in-host");
        JsonNode all = plan(dir, "all");
        assertThat(all.get("planning").get("logical_meshes").asInt()).isGreaterThan(inHost.get("planning").get("logical_meshes").asInt());
        assertThat(all.get("iteration_seconds").asDouble()).isLessThanOrEqualTo(inHost.get("iteration_seconds").asDouble() * (1 + 1e-9));
    }

    @Test
    void anUnknownSpaceIsRefusedInOneLine() {
        MainTest.Run r = MainTest.run("plan", "--pipeline", "--logical-shapes", "some");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("alpa4j: --logical-shapes must be in-host or all, got 'some'");
    }

    @Test
    void withoutAPipelineItIsRefusedInOneLine() {
        MainTest.Run plan = MainTest.run("plan", "--mesh", "1x2", "--logical-shapes", "all");
        assertThat(plan.code()).isEqualTo(2);
        assertThat(plan.err().strip()).isEqualTo("alpa4j: --logical-shapes does nothing without a pipeline (--pipeline, or --plan megatron:dp=D,tp=T,pp=P)");
        MainTest.Run train = MainTest.run("train", "--steps", "1", "--logical-shapes", "all");
        assertThat(train.code()).isEqualTo(2);
        assertThat(train.err().strip()).isEqualTo("alpa4j: --logical-shapes does nothing without a pipeline (--pipeline, or --plan megatron:dp=D,tp=T,pp=P)");
    }
}
