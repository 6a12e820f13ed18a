package io.github.alpa4j.ir.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.cases.OpCase;
import io.github.alpa4j.planner.RandomGraphs;
import io.github.alpa4j.planner.TinyModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GraphJsonTest {

    private static void assertSame(Graph back, Graph g) {
        assertThat(back.nodes()).isEqualTo(g.nodes());
        assertThat(back.outputs()).isEqualTo(g.outputs());
        assertThat(back.gradients()).isEqualTo(g.gradients());
        assertThat(back.updates()).isEqualTo(g.updates());
    }

    @Test
    void trainingGraphsWithEveryOpRoundTrip(@TempDir Path dir) throws IOException {
        for (Graph g : List.of(TinyModels.transformer(2, 4, 8, 2, 16), TinyModels.mlp(4, 4, 8, 2))) {
            Path f = dir.resolve("g.json");
            GraphJson.write(g, f);
            assertSame(GraphJson.read(f), g);
        }
    }

    /** Every op of the table, with its attributes (a tag derived from an enum constant included), survives a round trip. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.alpa4j.ir.cases.OpCases#all")
    void everyOpCaseRoundTrips(OpCase c) {
        Graph g = c.graph();
        assertSame(GraphJson.parse(GraphJson.toJson(g), c.name()), g);
    }

    @Test
    void randomGraphsRoundTrip() {
        Random r = new Random(11);
        for (int i = 0; i < 50; i++) {
            Graph g = RandomGraphs.graph(r, 9);
            assertSame(GraphJson.parse(GraphJson.toJson(g), "random"), g);
        }
    }

    @Test
    void aBrokenFileSaysWhereAndWhat() throws IOException {
        String good = GraphJson.toJson(TinyModels.mlp(4, 4, 8, 2));
        assertThatThrownBy(() -> GraphJson.parse("{", "f.json")).isInstanceOf(GraphFormatException.class)
                .hasMessageContaining("f.json is not valid JSON");
        assertThatThrownBy(() -> GraphJson.parse("{\"format\": \"other\"}", "f.json")).isInstanceOf(GraphFormatException.class)
                .hasMessageContaining("--export-graph");
        assertThatThrownBy(() -> GraphJson.parse(good.replaceFirst("\"op\" : \"relu\"", "\"op\" : \"swish\""), "f.json"))
                .isInstanceOf(GraphFormatException.class).hasMessageContaining("unknown op 'swish'");
        ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(good);
        ((ObjectNode) tree.get("nodes").get(4)).putArray("shape").add(4).add(9);
        assertThatThrownBy(() -> GraphJson.parse(tree.toString(), "f.json"))
                .isInstanceOf(GraphFormatException.class).hasMessageContaining("node 4").hasMessageContaining("declared type");
        assertThatThrownBy(() -> GraphJson.parse(good.replaceFirst("\"inputs\" : \\[ 0, 2 \\]", "\"inputs\" : [ 0, 99 ]"), "f.json"))
                .isInstanceOf(GraphFormatException.class).hasMessageContaining("is not an earlier node");
        assertThatThrownBy(() -> GraphJson.read(Path.of("/nonexistent/g.json"))).isInstanceOf(GraphFormatException.class)
                .hasMessageContaining("does not exist");
    }
}
