package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;

/**
 * One device's memory and kernels: float buffers {@code F}, int buffers {@code I}. The CPU backend
 * uses Java arrays; a GPU backend device memory. Buffers are allocated per tensor and freed when
 * their last reader has run.
 */
public interface Backend<F, I> extends AutoCloseable {
    String name();

    Kernels<F, I> kernels();

    /** A buffer for a tensor of type {@code t} (float or int storage as its dtype says). */
    Object allocate(TensorType t);

    void free(Object buffer);

    /** Copies host values into a buffer of the same type. */
    void upload(Tensor host, Object buffer);

    /** Copies a buffer back to the host. */
    Tensor download(Object buffer, TensorType t);

    /** Waits for all queued work (a no-op where kernels run synchronously). */
    void synchronize();

    @Override
    void close();
}
