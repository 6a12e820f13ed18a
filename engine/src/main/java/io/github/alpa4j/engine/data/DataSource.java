package io.github.alpa4j.engine.data;

import io.github.alpa4j.engine.tensor.Tensor;
import java.util.Map;
import java.util.OptionalDouble;

/** Yields the batch of every step, deterministically from the seed and the step number. */
public interface DataSource {
    /** The tensors to feed at {@code step}, keyed by input name. */
    Map<String, Tensor> batch(long step);

    /** The least loss any model can reach on this data, when it is known exactly. */
    default OptionalDouble lossFloor() {
        return OptionalDouble.empty();
    }

    /** One line saying what the data is. */
    String describe();
}
