package io.github.alpa4j.planner.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.RandomGraphs;
import io.github.alpa4j.planner.TinyModels;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.ilp.IntraOpIlp;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlanTest {

    /** What the solver minimises is what the plan reports, with merging and tying sharing variables. */
    @Test
    void theIlpObjectiveIsThePlansCost() {
        Random r = new Random(5);
        for (int i = 0; i < 60; i++) {
            Graph g = i % 10 == 0 ? TinyModels.transformer(4, 8, 16, 4, 32) : RandomGraphs.graph(r, 9);
            DeviceMesh mesh = Meshes.random(r);
            StrategySpace space = StrategySpace.enumerate(g, mesh, PlannerOptions.defaults());
            IntraOpIlp ilp = IntraOpIlp.build(space, true, true, false);
            int[] choice = new int[ilp.problem().varCount()];
            for (int v = 0; v < choice.length; v++) {
                choice[v] = r.nextInt(ilp.problem().choices(v));
            }
            double ilpCost = ilp.problem().objective(choice);
            IntraOpPlan plan = IntraOpPlan.of("test", PlanStatus.MANUAL, space, ilp.nodeStrategies(choice), Optional.empty());
            if (Double.isFinite(ilpCost)) {
                assertThat(plan.objective()).isCloseTo(ilpCost, within(1e-12 * ilpCost + 1e-18));
            } else {
                // an infinite cost is an update that does not keep its variable's layout
                assertThat(g.updates()).isNotEmpty();
            }
        }
    }

    @Test
    void jsonCarriesObjectiveIterationTimeAndEveryNodesStrategy() throws Exception {
        Graph g = TinyModels.mlp2(8, 16, 64, 16);
        IntraOpPlan plan = IntraOpPlanner.plan(g, Meshes.mesh(1, 4), PlannerOptions.defaults());
        JsonNode j = new ObjectMapper().readTree(PlanJson.toJson(plan));
        assertThat(j.get("objective").asDouble()).isEqualTo(plan.objective());
        assertThat(j.get("iteration_time").asDouble()).isEqualTo(plan.iterationTime());
        assertThat(j.get("nodes")).hasSize(plan.graph().size());
        for (JsonNode n : j.get("nodes")) {
            int id = n.get("id").asInt();
            assertThat(ShardingSpec.parse(n.get("output_spec").asText())).isEqualTo(plan.outputSpec(id));
            assertThat(n.get("input_specs")).hasSize(plan.graph().node(id).inputs().size());
        }
        assertThat(j.get("collectives")).hasSize(plan.collectives().size());
        assertThat(j.get("ilp").get("variables").asInt()).isPositive();
    }

    @Test
    void reportListsEveryNodeTheObjectiveAndTheCollectives() {
        Graph g = TinyModels.mlp2(8, 16, 64, 16);
        IntraOpPlan plan = IntraOpPlanner.plan(g, Meshes.mesh(1, 4), PlannerOptions.defaults());
        String text = PlanReport.render(plan);
        assertThat(text).contains("objective:", "iteration time:", "collectives implied by the plan:", "l1/w");
        for (PlannedCollective c : plan.collectives()) {
            assertThat(text).contains(c.collective().kind());
        }
        assertThat(plan.collectives()).extracting(PlannedCollective::collective).hasOnlyElementsOfType(Collective.class);
    }
}
