package io.github.alpa4j.planner.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommProfileTest {
    /** A 2x2 profile (four devices busy) and a 1x2 one (two busy), alpha in microseconds telling them apart. */
    private static CommProfile profile() {
        Map<String, Map<String, Link>> m = new LinkedHashMap<>();
        m.put("2x2", Map.of("all-reduce@0", Link.of(400, 1), "all-reduce@1", Link.of(100, 1), "all-reduce@01", Link.of(700, 1),
                "all-reduce", Link.of(300, 1), "all-gather", Link.of(250, 1), "all-gather@1", Link.of(150, 1), "all-to-all", Link.of(50, 1)));
        m.put("1x2", Map.of("all-reduce@1", Link.of(10, 1), "all-reduce", Link.of(10, 1)));
        return new CommProfile(m, Link.of(5, 1));
    }

    private static double alphaMicros(CommProfile p, String kind, String axes, String shape) {
        return p.link(kind, axes, shape).orElseThrow().alpha() * 1e6;
    }

    @Test
    void aStageMeshWhileTheWholeMachineWorksTakesTheBusierProfilesFitsForGroupsOfItsSize() {
        CommProfile p = profile();
        assertThat(alphaMicros(p, "all-reduce", "1", "1x2")).as("alone: its own profile").isEqualTo(10, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(alphaMicros(p.whenBusy(2, 1, 2), "all-reduce", "1", "1x2")).isEqualTo(10, org.assertj.core.data.Offset.offset(1e-9));
        // a 1x2 stage of a 2x2 pipeline: the 2x2 mesh's groups of two along axis 1
        assertThat(alphaMicros(p.whenBusy(4, 1, 2), "all-reduce", "1", "1x2")).isEqualTo(100, org.assertj.core.data.Offset.offset(1e-9));
        // a 2x1 stage: groups of two along axis 0 there
        assertThat(alphaMicros(p.whenBusy(4, 2, 1), "all-reduce", "0", "2x1")).isEqualTo(400, org.assertj.core.data.Offset.offset(1e-9));
        // a kind measured over other axes with groups as large: those; measured only pooled: the pooled fit
        assertThat(alphaMicros(p.whenBusy(4, 2, 1), "all-gather", "0", "2x1")).isEqualTo(150, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(alphaMicros(p.whenBusy(4, 2, 1), "all-to-all", "0", "2x1")).isEqualTo(50, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(alphaMicros(p.whenBusy(4, 1, 2), "all-gather", "1", "1x2")).isEqualTo(150, org.assertj.core.data.Offset.offset(1e-9));
        // the whole profiled mesh, or a busy count no profile reaches beyond the mesh itself, changes nothing
        assertThat(p.whenBusy(4, 2, 2)).isSameAs(p);
        assertThat(p.whenBusy(3, 1, 2).link("all-reduce", "1", "1x2").orElseThrow().alpha()).isEqualTo(10e-6, org.assertj.core.data.Offset.offset(1e-12));
    }
}
