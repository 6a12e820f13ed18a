package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search for Megatron-LM's best dp x tp x pp plan. */
class MegatronPipelineTest {

    /**
     * Below the memory of every Megatron plan without sharded optimizer states, the search returns one with them
     * ({@code zero=1}, Megatron's distributed optimizer) where one fits.
     */
    @Test
    void theBestPlanShardsOptimizerStatesWhereNothingElseFits() {
        Graph g = TinyModels.gpt(16, 32, 64, 4, 128, 4);
        StageOptions o = StageOptions.defaults();
        long least = Long.MAX_VALUE;
        long leastZero = Long.MAX_VALUE;
        List<String> refused = new java.util.ArrayList<>();
        for (int pp : new int[] {1, 2, 4}) {
            for (int tp = 1; pp * tp <= 8; tp *= 2) {
                for (boolean zero : new boolean[] {false, true}) {
                    MegatronPipeline.Degrees d = new MegatronPipeline.Degrees(8 / (pp * tp), tp, pp, zero);
                    if (zero && d.dp() == 1) {
                        continue;
                    }
                    try {
                        long m = MegatronPipeline.plan(g, 2, PipelinePlannerTest.CLUSTER, d, o).stages().stream()
                                .mapToLong(PipelineStage::memoryBytes).max().orElseThrow();
                        if (zero) {
                            leastZero = Math.min(leastZero, m);
                        } else {
                            least = Math.min(least, m);
                        }
                    } catch (PlanningException e) {
                        refused.add(e.getMessage()); // degrees this model or cluster does not take
                    }
                }
            }
        }
        assertThat(leastZero).as("some plan with sharded optimizer states needs less than every plan without; refused: %s", refused).isLessThan(least);
        StageOptions tight = o.withMemoryBudgetBytes(least - 1);
        PipelinePlan best = MegatronPipeline.best(m -> g, List.of(2), PipelinePlannerTest.CLUSTER, tight);
        assertThat(best.fits()).isTrue();
        assertThat(best.method()).endsWith(",zero=1");
    }
}
