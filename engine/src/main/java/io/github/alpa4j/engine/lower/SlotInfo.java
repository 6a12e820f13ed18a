package io.github.alpa4j.engine.lower;

import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.ShardingSpec;

/**
 * A program register: the node whose value it holds, laid out as {@code spec}, and the type of one
 * device's shard. {@code aliasOf} ≥ 0 when it shares another slot's storage (a reshape).
 */
public record SlotInfo(int id, int node, ShardingSpec spec, TensorType global, TensorType local, int aliasOf) {
    public long localBytes() {
        return local.bytes();
    }

    public boolean isAlias() {
        return aliasOf >= 0;
    }
}
