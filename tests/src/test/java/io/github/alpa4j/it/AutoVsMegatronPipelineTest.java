package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The automatic pipeline is never slower than the best Megatron dp x tp x pp plan under the same cost
 * model, memory budget and microbatch counts, on a GPT small enough for CI (8 blocks on two
 * p3.16xlarge hosts).
 */
class AutoVsMegatronPipelineTest {
    static final GptConfig GPT = new GptConfig(8, 8, 512, 256, 4096, 32);
    static final Cluster CLUSTER = ClusterPresets.byName("p3.16xlarge", 2);
    static final List<Integer> MICROBATCHES = List.of(4, 8, 16);

    static Graph microbatch(int count) {
        GptConfig c = new GptConfig(GPT.layers(), GPT.heads(), GPT.hidden(), GPT.seq(), GPT.vocab(), GPT.batch() / count);
        return Autodiff.training(Models.gpt(c).forward(), "loss", Optimizer.AdamW.withLr(1e-4));
    }

    @Test
    void automaticPipelineIsNoSlowerThanTheBestMegatronPlan() {
        IntFunction<Graph> graphs = AutoVsMegatronPipelineTest::microbatch;
        StageOptions o = StageOptions.defaults();
        PipelinePlan megatron = MegatronPipeline.best(graphs, MICROBATCHES, CLUSTER, o);
        PipelinePlan auto = PipelinePlanner.plan(graphs, MICROBATCHES, CLUSTER, o);
        assertThat(megatron.fits()).isTrue();
        assertThat(auto.fits()).isTrue();
        assertThat(auto.iterationSeconds()).as("auto %s vs %s", summary(auto), summary(megatron))
                .isLessThanOrEqualTo(megatron.iterationSeconds() * (1 + 1e-9));
        // the GPT's blocks are planned once per logical mesh, not once per block
        assertThat(auto.stats().orElseThrow().layerTypes()).isLessThanOrEqualTo(4);
        assertThat(auto.deviceCount()).isEqualTo(CLUSTER.deviceCount());
    }

    private static String summary(PipelinePlan p) {
        StringBuilder sb = new StringBuilder(String.format("%s B=%d %.6f s [", p.method(), p.microbatches(), p.iterationSeconds()));
        for (PipelineStage s : p.stages()) {
            sb.append(String.format(" %d-%d on %s %s %.6f", s.firstLayer(), s.lastLayer(), s.mesh(), s.plan().method(), s.microbatchSeconds()));
        }
        return sb.append(" ]").toString();
    }
}
