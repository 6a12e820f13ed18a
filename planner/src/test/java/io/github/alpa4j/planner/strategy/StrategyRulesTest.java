package io.github.alpa4j.planner.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.TinyModels;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.AlphaBetaModel;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.Collective;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties every rule keeps, on training graphs that use every op of the IR. */
class StrategyRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"1x4", "2x2", "2x4", "4x2", "1x2"})
    void everyStrategyFitsItsTypesAndCostsItsCollectives(String shape) {
        String[] s = shape.split("x");
        DeviceMesh mesh = Meshes.mesh(Integer.parseInt(s[0]), Integer.parseInt(s[1]));
        AlphaBetaModel model = new AlphaBetaModel(mesh);
        Set<Class<?>> seen = new HashSet<>();
        for (Graph g : List.of(TinyModels.transformer(4, 8, 16, 4, 32), TinyModels.mlp(8, 8, 16, 4), TinyModels.bf16Mlp(8, 8, 16, 4),
                TinyModels.moe(4, 8, 8, 4, 4), TinyModels.convNet(4, 4, 4))) {
            StrategySpace space = StrategySpace.enumerate(g, mesh, PlannerOptions.defaults());
            for (Node n : space.graph().nodes()) {
                seen.add(n.op().getClass());
                List<ShardingStrategy> all = space.of(n.id());
                assertThat(all).as(n.toString()).isNotEmpty().doesNotHaveDuplicates();
                for (ShardingStrategy st : all) {
                    String what = n + " " + st;
                    assertThat(st.outputSpec().fits(n.type().shape(), mesh)).as(what).isTrue();
                    for (int k = 0; k < n.inputs().size(); k++) {
                        assertThat(st.inputSpec(k).fits(space.graph().node(n.input(k)).type().shape(), mesh)).as(what).isTrue();
                    }
                    double comm = st.collectives().stream().mapToDouble(model::cost).sum();
                    assertThat(st.communicationCost()).as(what).isCloseTo(comm, within(1e-15));
                    assertThat(st.memoryBytes()).isEqualTo(st.outputSpec().localBytes(n.type(), mesh));
                    // the collectives after the local computation are exactly the resharding of the result
                    List<Collective> tail = Resharding.between(st.resultSpec(), st.outputSpec(), n.type(), mesh).collectives();
                    assertThat(st.collectives().subList(st.collectives().size() - tail.size(), st.collectives().size()))
                            .as(what).isEqualTo(tail);
                    int xRank = n.inputs().isEmpty() ? 0 : st.inputSpec(0).rank();
                    if (n.op() instanceof NormalizationOp) {
                        assertThat(st.inputSpec(0).dim(xRank - 1).isSplit()).as(what).isFalse();
                    }
                    if (n.op() instanceof NormalizationOp.Softmax sm && sm.causal()) {
                        assertThat(st.inputSpec(0).dim(xRank - 2).isSplit()).as(what).isFalse();
                    }
                }
            }
        }
        assertThat(seen).as("the test graphs use every op").hasSize(allOps());
    }

    private static int allOps() {
        int n = 0;
        for (Class<?> family : Op.class.getPermittedSubclasses()) {
            n += family.getPermittedSubclasses().length;
        }
        return n;
    }
}
