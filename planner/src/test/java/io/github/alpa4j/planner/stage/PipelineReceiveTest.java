package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.TinyModels;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.CommProfile;
import io.github.alpa4j.planner.cluster.Link;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineReceiveTest {
    @Test
    void aClusterThatMeasuredItsSendsChargesEachStageWhatItReceives() {
        Graph g = TinyModels.deepMlp(32, 256, 4);
        Link p2p = Link.of(50, 1); // 50 us and 1 GB/s: far dearer than the preset's links
        Cluster measured = new Cluster("measured", 1, 4, Meshes.GPU, Link.of(10, 100), Link.of(20, 10),
                new CommProfile("1x4", Map.of("all-reduce", Link.of(10, 100)), p2p));
        PipelinePlan plan = MegatronPipeline.plan(g, 4, measured.withShape(1, 4), MegatronPipeline.parse("megatron:dp=1,tp=1,pp=4"),
                StageOptions.defaults().toBuilder().layers(4).build());
        double sum = 0;
        double max = 0;
        for (PipelineStage s : plan.stages()) {
            double received = 0;
            for (StageTransfer t : plan.transfers()) {
                if (t.toStage() == s.index()) {
                    received += p2p.alpha() + p2p.beta() * t.bytes();
                }
            }
            assertThat(plan.receiveSeconds(s.index(), Phase.FORWARD) + plan.receiveSeconds(s.index(), Phase.BACKWARD))
                    .isCloseTo(received, within(1e-15));
            assertThat(received > 0).as("stage %d receives something", s.index()).isEqualTo(true);
            double t = s.microbatchSeconds() + received;
            sum += t;
            max = Math.max(max, t);
        }
        assertThat(plan.pipelineSeconds()).isCloseTo(sum + 3 * max, within(1e-12));
        // the first stage receives gradients only, the last activations only
        assertThat(plan.receiveSeconds(0, Phase.FORWARD)).isZero();
        assertThat(plan.receiveSeconds(3, Phase.BACKWARD)).isZero();
        // a preset states no sends: Alpa's formula as it is
        PipelinePlan preset = MegatronPipeline.plan(g, 4, PipelinePlannerTest.CLUSTER.withShape(1, 4),
                MegatronPipeline.parse("megatron:dp=1,tp=1,pp=4"), StageOptions.defaults().toBuilder().layers(4).build());
        assertThat(preset.receiveSeconds(1, Phase.FORWARD)).isZero();
    }
}
