package io.github.alpa4j.planner.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.PlanningException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTest {

    @Test
    void alpasTestbedHasEightV100sPerHostAnd25GbpsBetweenHosts() {
        Cluster c = ClusterPresets.byName("p3.16xlarge", 8);
        assertThat(c.deviceCount()).isEqualTo(64);
        assertThat(c.gpu().memoryGiB()).isEqualTo(16.0);
        assertThat(c.interHost().bandwidthGBps()).isCloseTo(25.0 / 8, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(c.gpu().peakFlops(DType.BF16)).isEqualTo(c.gpu().peakFlops(DType.F32));
    }

    @Test
    void everyPresetResolvesByName() {
        for (String name : ClusterPresets.names()) {
            assertThat(ClusterPresets.byName(name, 2).hosts()).isEqualTo(2);
        }
        assertThat(ClusterPresets.names()).contains("p3.16xlarge", "dgx-a100", "hgx-h100", "h100", "cpu");
        assertThat(ClusterPresets.byName("h100", 1).deviceCount()).isEqualTo(1);
    }

    @Test
    void anUnknownPresetIsAUserError() {
        assertThatThrownBy(() -> ClusterPresets.byName("tpu-v4", 1)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("unknown cluster preset 'tpu-v4'").hasMessageContaining("p3.16xlarge");
        assertThatThrownBy(() -> ClusterPresets.byName("cpu", 0)).isInstanceOf(PlanningException.class);
    }

    @Test
    void jsonRoundTripsEveryPreset(@TempDir Path dir) throws IOException {
        for (String name : ClusterPresets.names()) {
            Cluster c = ClusterPresets.byName(name, 3);
            Path f = dir.resolve(name + ".json");
            Files.writeString(f, ClusterJson.write(c));
            Cluster back = Cluster.fromJson(f);
            assertThat(back.hosts()).isEqualTo(3);
            assertThat(back.gpu().memoryBytes()).isEqualTo(c.gpu().memoryBytes());
            assertThat(back.gpu().peakFlops()).containsOnlyKeys(c.gpu().peakFlops().keySet());
            for (DType t : c.gpu().peakFlops().keySet()) {
                assertThat(back.gpu().peakFlops(t)).isCloseTo(c.gpu().peakFlops(t), org.assertj.core.api.Assertions.withinPercentage(1e-9));
            }
            assertThat(back.intraHost().beta()).isCloseTo(c.intraHost().beta(), org.assertj.core.api.Assertions.withinPercentage(1e-9));
            assertThat(back.interHost().alpha()).isCloseTo(c.interHost().alpha(), org.assertj.core.api.Assertions.withinPercentage(1e-9));
        }
        assertThat(ClusterPresets.resolve(dir.resolve("cpu.json").toString(), 5).hosts()).isEqualTo(5);
    }

    @Test
    void aBadFileSaysWhatIsWrong(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"name\": \"x\", \"hosts\": 1}");
        assertThatThrownBy(() -> Cluster.fromJson(f)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("missing object 'gpu'").hasMessageContaining("docs/cluster-json.md");
        Files.writeString(f, "{ not json");
        assertThatThrownBy(() -> Cluster.fromJson(f)).isInstanceOf(PlanningException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Cluster.fromJson(dir.resolve("none.json"))).isInstanceOf(PlanningException.class)
                .hasMessageContaining("does not exist");
        String ok = ClusterJson.write(ClusterPresets.byName("cpu", 1));
        Files.writeString(f, ok.replace("\"hosts\" : 1", "\"hosts\" : 1.5"));
        assertThatThrownBy(() -> Cluster.fromJson(f)).isInstanceOf(PlanningException.class).hasMessageContaining("'hosts'");
    }

    @Test
    void meshAxesGetTheLinkOfTheHostsTheySpan() {
        Cluster two = ClusterPresets.byName("p3.16xlarge", 2);
        DeviceMesh m = DeviceMesh.parse(two, "2x8");
        assertThat(m.axis0()).isEqualTo(two.interHost());
        assertThat(m.axis1()).isEqualTo(two.intraHost());
        DeviceMesh inHost = DeviceMesh.parse(two, "2x4");
        assertThat(inHost.axis0()).isEqualTo(two.intraHost());
        assertThat(DeviceMesh.parse(two, "1x16").axis1()).isEqualTo(two.interHost());
        assertThat(DeviceMesh.parse(two, "4")).isEqualTo(DeviceMesh.of(two, 1, 4));
    }

    @Test
    void aMeshLargerThanTheClusterIsAUserError() {
        Cluster one = ClusterPresets.byName("p3.16xlarge", 1);
        assertThatThrownBy(() -> DeviceMesh.parse(one, "4x8")).isInstanceOf(PlanningException.class)
                .hasMessageContaining("needs 32 devices").hasMessageContaining("has 8");
        assertThatThrownBy(() -> DeviceMesh.parse(one, "2by4")).isInstanceOf(PlanningException.class)
                .hasMessageContaining("2x4");
        assertThatThrownBy(() -> DeviceMesh.parse(one, "0x4")).isInstanceOf(PlanningException.class);
    }
}
