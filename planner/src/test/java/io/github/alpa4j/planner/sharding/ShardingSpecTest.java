package io.github.alpa4j.planner.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.Meshes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardingSpecTest {

    @Test
    void printsAsAlpaWritesIt() {
        assertThat(ShardingSpec.of(DimSharding.S0, DimSharding.R)).hasToString("S0R");
        assertThat(ShardingSpec.of(DimSharding.R, DimSharding.S1)).hasToString("RS1");
        assertThat(ShardingSpec.of(DimSharding.S01, DimSharding.R)).hasToString("S01R");
        assertThat(ShardingSpec.replicated(2).withPartial(MeshAxes.AXIS1)).hasToString("RR+P1");
        assertThat(ShardingSpec.replicated(0)).hasToString("()");
    }

    @ParameterizedTest
    @ValueSource(strings = {"S0R", "RS1", "S01R", "RS01", "S1S0", "RRR+P01", "()", "()+P0", "S0RR+P1"})
    void parsesWhatItPrints(String s) {
        assertThat(ShardingSpec.parse(s)).hasToString(s);
    }

    @Test
    void aMeshAxisIsUsedOnce() {
        assertThatThrownBy(() -> ShardingSpec.of(DimSharding.S0, DimSharding.S01)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardingSpec.parse("S1R+P1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardingSpec.parse("S2R")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverSplitsADimensionFinerThanItsSizeOrUnevenly() {
        var mesh = Meshes.mesh(2, 4);
        assertThat(ShardingSpec.parse("S1R").fits(Shape.of(4, 3), mesh)).isTrue();
        assertThat(ShardingSpec.parse("S01R").fits(Shape.of(4, 3), mesh)).isFalse();
        assertThat(ShardingSpec.parse("RS1").fits(Shape.of(4, 6), mesh)).isFalse();
        assertThat(ShardingSpec.parse("S0R").fits(Shape.of(1, 6), mesh)).isFalse();
        // an axis of one device splits nothing: such specs are not generated
        assertThat(ShardingSpec.parse("S0R").fits(Shape.of(4, 4), Meshes.mesh(1, 4))).isFalse();
    }

    @Test
    void localShardsShrinkBySplitFactor() {
        var mesh = Meshes.mesh(2, 4);
        ShardingSpec s = ShardingSpec.parse("S01R");
        assertThat(s.localDims(Shape.of(16, 6), mesh)).containsExactly(2, 6);
        assertThat(ShardingSpec.parse("S1S0").localBytes(TensorType.f32(8, 8), mesh)).isEqualTo(2 * 4 * 4);
    }
}
