package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.Cublas;
import io.github.alpa4j.cuda.CudaEvent;
import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.GemmPrecision;
import io.github.alpa4j.kernels.Bf16Casts;
import java.util.ArrayList;
import java.util.List;

/**
 * Matrix products of one logical device on cuBLAS at a {@link MatmulPrecision}. For bf16 the
 * float32 operands are cast into bf16 scratch from the device's pool (returned as soon as the
 * product is queued: the pool serves this stream only) and multiplied by cublasGemmEx with float32
 * accumulation into the float32 result. Optionally times each product with CUDA events.
 */
final class CudaMatmul implements AutoCloseable {
    private static final int BF16 = 2;

    /** One product as timed on the GPU. */
    record Timed(GemmShape shape, double millis) {
    }

    private final CudaStream stream;
    private final DevicePool pool;
    private final Cublas cublas;
    private final Bf16Casts<DeviceBuffer, DeviceBuffer> casts;
    private final MatmulPrecision precision;
    private final List<CudaEvent> events = new ArrayList<>();
    private final List<GemmShape> timedShapes = new ArrayList<>();
    private boolean timing;

    CudaMatmul(CudaStream stream, DevicePool pool, Cublas cublas, Bf16Casts<DeviceBuffer, DeviceBuffer> casts,
               MatmulPrecision precision) {
        this.stream = stream;
        this.pool = pool;
        this.cublas = cublas;
        this.casts = casts;
        this.precision = precision;
    }

    MatmulPrecision precision() {
        return precision;
    }

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, long strideA,
              DeviceBuffer b, long strideB, float beta, DeviceBuffer c, long strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        timed(new GemmShape(transA, transB, m, n, k, batch), () -> {
            if (precision == MatmulPrecision.BF16) {
                long extentA = strideA * (batch - 1L) + (long) m * k;
                long extentB = strideB * (batch - 1L) + (long) k * n;
                try (DeviceBuffer a16 = pool.allocate(Math.max(1, extentA) * BF16);
                     DeviceBuffer b16 = pool.allocate(Math.max(1, extentB) * BF16)) {
                    casts.toBf16(a, a16, extentA);
                    casts.toBf16(b, b16, extentB);
                    cublas.gemm(GemmPrecision.BF16_INPUTS, transA, transB, m, n, k, alpha, a16, strideA, b16, strideB, beta, c,
                            strideC, batch);
                }
            } else {
                cublas.gemm(precision.gemm(), transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
            }
        });
    }

    /** C = A·B (packed operands) as {@link #gemm} runs it: float32 operands, cast first for bf16. */
    void gemm(GemmShape s, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c) {
        gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, (long) s.m() * s.k(), b, (long) s.k() * s.n(), 0f, c,
                (long) s.m() * s.n(), s.batch());
    }

    /** C = A·B with operands already in this precision's operand type (bf16 for BF16): cuBLAS alone, no casts. */
    void gemmOnly(GemmShape s, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c) {
        timed(s, () -> cublas.gemm(precision.gemm(), s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, (long) s.m() * s.k(), b,
                (long) s.k() * s.n(), 0f, c, (long) s.m() * s.n(), s.batch()));
    }

    /** Casts n float32 values to bf16 on this stream. */
    void toBf16(DeviceBuffer x, DeviceBuffer y, long n) {
        casts.toBf16(x, y, n);
    }

    private void timed(GemmShape shape, Runnable product) {
        if (!timing) {
            product.run();
            return;
        }
        timedShapes.add(shape);
        event(2 * timedShapes.size() - 2).record(stream);
        product.run();
        event(2 * timedShapes.size() - 1).record(stream);
    }

    private CudaEvent event(int i) {
        while (events.size() <= i) {
            events.add(CudaEvent.create(stream.device(), true));
        }
        return events.get(i);
    }

    /** Starts timing every product (bf16 casts included) until {@link #stopTiming}. */
    void startTiming() {
        timedShapes.clear();
        timing = true;
    }

    /** Waits for the stream and returns each product timed since {@link #startTiming}, in order. */
    List<Timed> stopTiming() {
        timing = false;
        stream.synchronize();
        List<Timed> out = new ArrayList<>(timedShapes.size());
        for (int i = 0; i < timedShapes.size(); i++) {
            out.add(new Timed(timedShapes.get(i), events.get(2 * i + 1).millisSince(events.get(2 * i))));
        }
        timedShapes.clear();
        return out;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (CudaEvent e : events) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                first = first == null ? ex : first;
            }
        }
        events.clear();
        if (first != null) {
            throw first;
        }
    }
}
