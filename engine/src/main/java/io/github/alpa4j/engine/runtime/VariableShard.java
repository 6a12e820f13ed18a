package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.ShardingSpec;

/**
 * Where one device keeps its block of one variable (a parameter or an optimizer state): the variable's
 * name and whole type, the stage whose graph holds it (0 without a pipeline), the spec that cut it,
 * and the device's place on that stage's mesh. Enough to cut the block from the whole tensor
 * ({@link ShardLayout#block}) or to put the whole back together from every block ({@link ShardLayout#assemble}).
 */
public record VariableShard(String name, int stage, TensorType global, ShardingSpec spec, MeshGroups mesh, int meshDevice) {

    /** The type of this device's block. */
    public TensorType local() {
        return ShardLayout.localType(global, spec, mesh);
    }

    /** This device's block of {@code whole}. */
    public Tensor cut(Tensor whole) {
        return ShardLayout.block(whole, spec, mesh, meshDevice);
    }
}
