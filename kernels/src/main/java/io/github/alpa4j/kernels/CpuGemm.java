package io.github.alpa4j.kernels;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Matrix products on OpenBLAS, one BLAS thread per calling thread, split over the device's threads
 * by product (a batch) or by rows of C (one product).
 *
 * <p>A Java array passed to JNI is copied in and out whole on every call, C included, into freshly
 * allocated native memory; so the operands are copied once per call into native buffers kept from
 * call to call, every product of a batch reads its slice of them in place, and C is copied back
 * once. (Measured here, best of 200 calls: [512×64]·[64×64] took 83 µs on the arrays themselves and
 * 45 µs through warm native buffers; [512×64]·[64×256], 196 and 168 µs.)
 */
final class CpuGemm implements AutoCloseable {
    /** Multiply-adds below which a chunk of work is not worth a thread. */
    private static final long GRAIN_MACS = 1L << 18;

    private final Scratch a = new Scratch();
    private final Scratch b = new Scratch();
    private final Scratch c = new Scratch();

    /** A native buffer that grows to the largest operand it has held. */
    private static final class Scratch implements AutoCloseable {
        private FloatPointer memory;
        private long capacity;

        FloatPointer hold(long n) {
            if (n > capacity) {
                close();
                capacity = Math.max(n, 2 * capacity);
                memory = new FloatPointer(capacity);
            }
            return memory;
        }

        @Override
        public void close() {
            if (memory != null) {
                memory.close();
                memory = null;
                capacity = 0;
            }
        }
    }

    synchronized void gemm(IntraOpPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] as, long strideA, float[] bs, long strideB, float beta, float[] cs, long strideC, int batch) {
        int extentA = extent(strideA, m * k, batch);
        int extentB = extent(strideB, k * n, batch);
        int extentC = extent(strideC, m * n, batch);
        FloatPointer pa = a.hold(extentA).put(as, 0, extentA);
        FloatPointer pb = b.hold(extentB).put(bs, 0, extentB);
        FloatPointer pc = c.hold(extentC);
        if (beta != 0) {
            pc.put(cs, 0, extentC);
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        long macs = (long) m * n * k;
        if (batch > 1) {
            pool.parallelFor(batch, (int) Math.max(1, GRAIN_MACS / Math.max(1, macs)), (from, to) -> {
                for (int i = from; i < to; i++) {
                    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, pa.getPointer(strideA * i), lda, pb.getPointer(strideB * i), ldb,
                            beta, pc.getPointer(strideC * i), n);
                }
            });
        } else {
            // rows [from, to) of op(A) start at row·k of A, or at column row of a transposed A
            pool.parallelFor(m, (int) Math.max(1, GRAIN_MACS / Math.max(1, (long) n * k)), (from, to) -> cblas_sgemm(CblasRowMajor,
                    ta, tb, to - from, n, k, alpha, pa.getPointer(transA ? from : (long) from * k), lda, pb, ldb, beta,
                    pc.getPointer((long) from * n), n));
        }
        pc.get(cs, 0, extentC);
    }

    /** Elements from the first product's start to the last one's end. */
    private static int extent(long stride, int size, int batch) {
        return Math.toIntExact(stride * (batch - 1) + size);
    }

    @Override
    public synchronized void close() {
        a.close();
        b.close();
        c.close();
    }
}
