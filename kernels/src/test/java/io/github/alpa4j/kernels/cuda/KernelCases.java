package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.kernels.Bf16;
import io.github.alpa4j.kernels.CpuKernels;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One case per kernel (and per shape family that takes a different path through it): fresh
 * random inputs, the CPU twin and the CUDA kernel on the same values, float32 results within
 * 1e-5 relative error (max |gpu - cpu| / max |cpu|), bf16 within 1e-2, every output written.
 */
final class KernelCases {
    static final double FP32 = 1e-5;
    static final double BF16 = 1e-2;
    static final CpuKernels cpu = new CpuKernels();

    private KernelCases() {
    }

    interface Case {
        void run(Twin t);
    }

    static Arguments of(String name, Case c) {
        return Arguments.of(name, c);
    }

    /** Row-major strides of {@code in} read over {@code out} (0 where in broadcasts), right-aligned. */
    static long[] broadcastStrides(int[] in, int[] out) {
        long[] s = new long[out.length];
        long stride = 1;
        for (int d = in.length - 1; d >= 0; d--) {
            int od = out.length - in.length + d;
            s[od] = in[d] == 1 ? 0 : stride;
            stride *= in[d];
        }
        return s;
    }

    static int size(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    static Case binary(BinaryKind kind, int[] aDims, int[] bDims, int[] outDims) {
        return t -> {
            Twin.F a = t.gaussian(size(aDims), 1);
            Twin.F b = kind == BinaryKind.DIV ? t.uniform(size(bDims), 0.5, 2) : t.gaussian(size(bDims), 1);
            Twin.F out = t.output(size(outDims));
            long[] as = broadcastStrides(aDims, outDims);
            long[] bs = broadcastStrides(bDims, outDims);
            cpu.binary(kind, a.host(), as, b.host(), bs, out.host(), outDims);
            t.gpu.binary(kind, a.dev(), as, b.dev(), bs, out.dev(), outDims);
            t.expectClose(out, FP32);
        };
    }

    /**
     * Rounding to a narrow type, bit for bit: magnitudes from 2^-30 (f16's subnormals and below) to 2^20
     * (past f16's range), both signs, and the edge values of f16's range and of its ties.
     */
    static Case round(DType type) {
        return t -> {
            int n = 20_000;
            float[] v = new float[n];
            float[] edges = {65504f, 65519.99f, 65520f, 70000f, 5.9604645e-8f, 2.9802322e-8f, 8.940697e-8f, 6.1035156e-5f,
                1 + 0x1p-11f, 1 + 0x1p-8f, 1 + 0x1p-8f + 0x1p-12f, 0f};
            for (int i = 0; i < n; i++) {
                v[i] = i < edges.length ? edges[i] * (i % 2 == 0 ? 1 : -1)
                        : (float) (t.rnd.nextGaussian() * Math.scalb(1.0, t.rnd.nextInt(51) - 30));
            }
            Twin.F x = t.input(v);
            Twin.F y = t.output(n);
            cpu.round(type, x.host(), y.host(), n);
            t.gpu.round(type, x.dev(), y.dev(), n);
            float[] got = t.download(y);
            int[] gotBits = new int[n];
            int[] wantBits = new int[n];
            for (int i = 0; i < n; i++) {
                gotBits[i] = Float.floatToRawIntBits(got[i]);
                wantBits[i] = Float.floatToRawIntBits(y.host()[i]);
            }
            assertThat(gotBits).as("%s, bit for bit", type).containsExactly(wantBits);
        };
    }

    static Case permute(int[] inDims, int[] perm) {
        return t -> {
            Twin.F x = t.gaussian(size(inDims), 1);
            long[] own = broadcastStrides(inDims, inDims);
            int[] outDims = new int[perm.length];
            long[] s = new long[perm.length];
            for (int d = 0; d < perm.length; d++) {
                outDims[d] = inDims[perm[d]];
                s[d] = own[perm[d]];
            }
            Twin.F y = t.output(size(outDims));
            cpu.strided(x.host(), 0, s, y.host(), outDims);
            t.gpu.strided(x.dev(), 0, s, y.dev(), outDims);
            t.expectClose(y, FP32);
        };
    }

    static Case broadcastTo(int[] inDims, int[] outDims) {
        return t -> {
            Twin.F x = t.gaussian(size(inDims), 1);
            long[] s = broadcastStrides(inDims, outDims);
            Twin.F y = t.output(size(outDims));
            cpu.strided(x.host(), 0, s, y.host(), outDims);
            t.gpu.strided(x.dev(), 0, s, y.dev(), outDims);
            t.expectClose(y, FP32);
        };
    }

    /** One device's block of a sharded tensor: dims [4, 6, 10] split 2 ways on dim 1, block 1. */
    static Case sliceBlock() {
        return t -> {
            int[] in = {4, 6, 10};
            Twin.F x = t.gaussian(size(in), 1);
            int[] out = {4, 3, 10};
            long[] s = {60, 10, 1};
            Twin.F y = t.output(size(out));
            cpu.strided(x.host(), 30, s, y.host(), out);
            t.gpu.strided(x.dev(), 30, s, y.dev(), out);
            t.expectClose(y, FP32);
        };
    }

    /**
     * Vocabulary-parallel cross entropy on one shard: row statistics, the target pick, the loss and
     * its gradient from (here: local) statistics; the shard holds columns [vocabStart, vocabStart + n).
     */
    static Case vocabParallelCrossEntropy(int rows, int n, int vocabStart, int which) {
        return t -> {
            Twin.F logits = t.gaussian(rows * n, 3);
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                labels[r] = t.rnd.nextInt(3 * n); // some in this shard, most in others
            }
            Twin.I lab = t.ints(labels);
            float[] maxHost = new float[rows];
            float[] sumHost = new float[rows];
            cpu.rowMax(logits.host(), maxHost, rows, n);
            cpu.rowSumExp(logits.host(), maxHost, sumHost, rows, n);
            switch (which) {
                case 0 -> {
                    Twin.F out = t.output(rows);
                    cpu.rowMax(logits.host(), out.host(), rows, n);
                    t.gpu.rowMax(logits.dev(), out.dev(), rows, n);
                    t.expectClose(out, FP32);
                }
                case 1 -> {
                    Twin.F max = t.input(maxHost);
                    Twin.F out = t.output(rows);
                    cpu.rowSumExp(logits.host(), max.host(), out.host(), rows, n);
                    t.gpu.rowSumExp(logits.dev(), max.dev(), out.dev(), rows, n);
                    t.expectClose(out, FP32);
                }
                case 2 -> {
                    Twin.F out = t.output(rows);
                    cpu.pickTarget(logits.host(), lab.host(), out.host(), rows, n, vocabStart);
                    t.gpu.pickTarget(logits.dev(), lab.dev(), out.dev(), rows, n, vocabStart);
                    t.expectClose(out, FP32);
                }
                case 3 -> {
                    Twin.F max = t.input(maxHost);
                    Twin.F sum = t.input(sumHost);
                    Twin.F target = t.gaussian(rows, 1);
                    Twin.F loss = t.output(1);
                    cpu.crossEntropyFromStats(max.host(), sum.host(), target.host(), loss.host(), rows, 1f / rows);
                    t.gpu.crossEntropyFromStats(max.dev(), sum.dev(), target.dev(), loss.dev(), rows, 1f / rows);
                    t.expectClose(loss, FP32);
                }
                default -> {
                    Twin.F max = t.input(maxHost);
                    Twin.F sum = t.input(sumHost);
                    Twin.F dloss = t.uniform(1, 0.5, 2);
                    Twin.F d = t.output(rows * n);
                    cpu.crossEntropyGradFromStats(logits.host(), lab.host(), max.host(), sum.host(), dloss.host(), d.host(),
                            rows, n, vocabStart, 1f / rows);
                    t.gpu.crossEntropyGradFromStats(logits.dev(), lab.dev(), max.dev(), sum.dev(), dloss.dev(), d.dev(),
                            rows, n, vocabStart, 1f / rows);
                    t.expectClose(d, FP32);
                }
            }
        };
    }

    static Case reduce(int[] dims, boolean[] reduced, float scale) {
        return t -> {
            Twin.F x = t.gaussian(size(dims), 1);
            int outs = 1;
            for (int d = 0; d < dims.length; d++) {
                outs *= reduced[d] ? 1 : dims[d];
            }
            Twin.F y = t.output(outs);
            cpu.reduceSum(x.host(), dims, reduced, scale, y.host());
            t.gpu.reduceSum(x.dev(), dims, reduced, scale, y.dev());
            t.expectClose(y, FP32);
        };
    }

    static Case activation(Activation k, boolean grad) {
        return t -> {
            int n = 100_003;
            // 1/√x where it is defined (its derivative near 0 would dwarf every other element)
            Twin.F x = k == Activation.RSQRT ? t.uniform(n, 0.1, 10) : t.gaussian(n, 3);
            Twin.F y = t.output(n);
            if (grad) {
                Twin.F dy = t.gaussian(n, 1);
                cpu.activationGrad(k, x.host(), dy.host(), y.host(), n);
                t.gpu.activationGrad(k, x.dev(), dy.dev(), y.dev(), n);
            } else {
                cpu.activation(k, x.host(), y.host(), n);
                t.gpu.activation(k, x.dev(), y.dev(), n);
            }
            t.expectClose(y, FP32);
        };
    }

    /** im2col of an n x h x w x c image, then col2im of random windows of the same sweep. */
    static Case patches(int n, int h, int w, int c, int k, int s, int p) {
        return t -> {
            int ho = (h + 2 * p - k) / s + 1;
            int wo = (w + 2 * p - k) / s + 1;
            int cols = n * ho * wo * c * k * k;
            Twin.F x = t.gaussian(n * h * w * c, 1);
            Twin.F col = t.output(cols);
            cpu.im2col(x.host(), n, h, w, c, k, k, s, p, col.host());
            t.gpu.im2col(x.dev(), n, h, w, c, k, k, s, p, col.dev());
            t.expectClose(col, FP32);
            Twin.F dcol = t.gaussian(cols, 1);
            Twin.F dx = t.output(n * h * w * c);
            cpu.col2im(dcol.host(), n, h, w, c, k, k, s, p, dx.host());
            t.gpu.col2im(dcol.dev(), n, h, w, c, k, k, s, p, dx.dev());
            t.expectClose(dx, FP32);
        };
    }

    /** Top-2 gating over 37 groups of 64 tokens, 8 experts with 12 slots: both choices drop tokens. */
    static Case routing(RoutingOp.Output what) {
        return t -> {
            int groups = 37;
            int s = 64;
            int e = 8;
            int c = 12;
            Twin.F gates = t.uniform(groups * s * e, 0, 1);
            Twin.F dc = t.gaussian(groups * s * e * c, 1);
            boolean slots = what == RoutingOp.Output.DISPATCH || what == RoutingOp.Output.COMBINE;
            Twin.F out = t.output(groups * s * e * (slots ? c : 1));
            boolean grad = what == RoutingOp.Output.COMBINE_GRAD;
            cpu.top2Routing(what, gates.host(), grad ? dc.host() : null, out.host(), groups, s, e, c);
            t.gpu.top2Routing(what, gates.dev(), grad ? dc.dev() : null, out.dev(), groups, s, e, c);
            t.expectClose(out, FP32);
        };
    }

    static Case softmax(int rows, int n, int causalSeq) {
        return t -> {
            Twin.F x = t.gaussian(rows * n, 4);
            Twin.F y = t.output(rows * n);
            cpu.softmax(x.host(), y.host(), rows, n, causalSeq);
            t.gpu.softmax(x.dev(), y.dev(), rows, n, causalSeq);
            t.expectClose(y, FP32);
        };
    }

    static Case softmaxGrad(int rows, int n) {
        return t -> {
            float[] probs = new float[rows * n];
            cpu.softmax(t.gaussian(rows * n, 2).host(), probs, rows, n, 0);
            Twin.F y = t.input(probs);
            Twin.F dy = t.gaussian(rows * n, 1);
            Twin.F dx = t.output(rows * n);
            cpu.softmaxGrad(y.host(), dy.host(), dx.host(), rows, n);
            t.gpu.softmaxGrad(y.dev(), dy.dev(), dx.dev(), rows, n);
            t.expectClose(dx, FP32);
        };
    }

    static Case layerNorm(int rows, int h, int which) {
        return t -> {
            float eps = 1e-5f;
            Twin.F x = t.gaussian(rows * h, 2);
            // an offset mean, as activations have, makes the variance's cancellation matter
            for (int i = 0; i < x.host().length; i++) {
                x.host()[i] += 3f;
            }
            x = t.input(x.host());
            Twin.F gamma = t.gaussian(h, 1);
            switch (which) {
                case 0 -> {
                    Twin.F beta = t.gaussian(h, 1);
                    Twin.F y = t.output(rows * h);
                    cpu.layerNorm(x.host(), gamma.host(), beta.host(), y.host(), rows, h, eps);
                    t.gpu.layerNorm(x.dev(), gamma.dev(), beta.dev(), y.dev(), rows, h, eps);
                    t.expectClose(y, FP32);
                }
                case 1 -> {
                    Twin.F dy = t.gaussian(rows * h, 1);
                    Twin.F dx = t.output(rows * h);
                    cpu.layerNormGrad(x.host(), gamma.host(), dy.host(), dx.host(), rows, h, eps);
                    t.gpu.layerNormGrad(x.dev(), gamma.dev(), dy.dev(), dx.dev(), rows, h, eps);
                    t.expectClose(dx, FP32);
                }
                default -> {
                    Twin.F dy = t.gaussian(rows * h, 1);
                    Twin.F dg = t.output(h);
                    cpu.layerNormGammaGrad(x.host(), dy.host(), dg.host(), rows, h, eps);
                    t.gpu.layerNormGammaGrad(x.dev(), dy.dev(), dg.dev(), rows, h, eps);
                    t.expectClose(dg, FP32);
                }
            }
        };
    }

    static Case embedding(boolean grad) {
        return t -> {
            int n = 300;
            int h = 48;
            int vocabStart = 10;
            int tableRows = 50;
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = t.rnd.nextInt(80); // some below, some above the shard's rows
            }
            Twin.I id = t.ints(ids);
            if (grad) {
                Twin.F dy = t.gaussian(n * h, 1);
                Twin.F dt = t.output(tableRows * h);
                cpu.embeddingGrad(id.host(), dy.host(), dt.host(), n, h, vocabStart, tableRows);
                t.gpu.embeddingGrad(id.dev(), dy.dev(), dt.dev(), n, h, vocabStart, tableRows);
                t.expectClose(dt, FP32);
            } else {
                Twin.F table = t.gaussian(tableRows * h, 1);
                Twin.F out = t.output(n * h);
                cpu.embedding(id.host(), table.host(), out.host(), n, h, vocabStart, tableRows);
                t.gpu.embedding(id.dev(), table.dev(), out.dev(), n, h, vocabStart, tableRows);
                t.expectClose(out, FP32);
            }
        };
    }

    static Case crossEntropy(int rows, int vocab, boolean grad) {
        return t -> {
            Twin.F logits = t.gaussian(rows * vocab, 3);
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                labels[r] = t.rnd.nextInt(vocab);
            }
            Twin.I lab = t.ints(labels);
            float inv = 1f / (2 * rows); // this shard holds half the global batch
            if (grad) {
                Twin.F dloss = t.uniform(1, 0.5, 2);
                Twin.F d = t.output(rows * vocab);
                cpu.crossEntropyGrad(logits.host(), lab.host(), dloss.host(), d.host(), rows, vocab, inv);
                t.gpu.crossEntropyGrad(logits.dev(), lab.dev(), dloss.dev(), d.dev(), rows, vocab, inv);
                t.expectClose(d, FP32);
            } else {
                Twin.F loss = t.output(1);
                cpu.crossEntropy(logits.host(), lab.host(), loss.host(), rows, vocab, inv);
                t.gpu.crossEntropy(logits.dev(), lab.dev(), loss.dev(), rows, vocab, inv);
                t.expectClose(loss, FP32);
            }
        };
    }

    static Case gemm(boolean ta, boolean tb, int m, int n, int k, int batch, boolean sharedB) {
        return t -> {
            long sa = (long) m * k;
            long sb = sharedB ? 0 : (long) k * n;
            Twin.F a = t.gaussian((int) (sa * batch), 1);
            Twin.F b = t.gaussian((int) Math.max(sb * batch, (long) k * n), 1);
            Twin.F c = t.output(batch * m * n);
            cpu.gemm(ta, tb, m, n, k, 1f, a.host(), sa, b.host(), sb, 0f, c.host(), (long) m * n, batch);
            t.gpu.gemm(ta, tb, m, n, k, 1f, a.dev(), sa, b.dev(), sb, 0f, c.dev(), (long) m * n, batch);
            t.expectClose(c, FP32);
        };
    }

    /** Every case; {@code withGemm} false leaves out the cuBLAS products. */
    static Stream<Arguments> cases(boolean withGemm) {
        return all().filter(a -> withGemm || !((String) a.get()[0]).startsWith("gemm"));
    }

    /** Every activation and its gradient, named as the IR names them ({@code gelu}, {@code gelu_grad}). */
    private static Stream<Arguments> activations() {
        return Stream.of(Activation.values()).flatMap(a -> {
            String name = a.name().toLowerCase(java.util.Locale.ROOT);
            return Stream.of(of(name, activation(a, false)), of(name + "_grad", activation(a, true)));
        });
    }

    private static Stream<Arguments> all() {
        return Stream.concat(activations(), fixed());
    }

    private static Stream<Arguments> fixed() {
        return Stream.of(
                of("fill", t -> {
                    Twin.F out = t.output(10_007);
                    float v = (float) t.rnd.nextGaussian();
                    cpu.fill(out.host(), 10_007, v);
                    t.gpu.fill(out.dev(), 10_007, v);
                    t.expectClose(out, FP32);
                }),
                of("copy_with_offsets", t -> {
                    Twin.F x = t.gaussian(500, 1);
                    float[] init = new float[600];
                    for (int i = 0; i < init.length; i++) {
                        init[i] = i < 50 || i >= 450 ? i : Float.NaN; // NaN only where the copy writes
                    }
                    Twin.F out = t.input(init.clone());
                    cpu.copy(x.host(), 17, out.host(), 50, 400);
                    t.gpu.copy(x.dev(), 17, out.dev(), 50, 400);
                    t.expectClose(out, FP32);
                }),
                of("add_broadcast_rows", binary(BinaryKind.ADD, new int[] {2, 3, 4}, new int[] {3, 1}, new int[] {2, 3, 4})),
                of("sub_broadcast_left", binary(BinaryKind.SUB, new int[] {4}, new int[] {3, 4}, new int[] {3, 4})),
                of("mul_broadcast_both", binary(BinaryKind.MUL, new int[] {2, 1, 4}, new int[] {3, 1}, new int[] {2, 3, 4})),
                of("div_same_shape", binary(BinaryKind.DIV, new int[] {5, 6}, new int[] {5, 6}, new int[] {5, 6})),
                of("add_rank5_bias", binary(BinaryKind.ADD, new int[] {2, 3, 4, 5, 6}, new int[] {6}, new int[] {2, 3, 4, 5, 6})),
                of("mul_large_scalar", binary(BinaryKind.MUL, new int[] {1024, 1031}, new int[0], new int[] {1024, 1031})),
                of("permute_0231", permute(new int[] {2, 3, 4, 5}, new int[] {0, 2, 3, 1})),
                of("permute_heads", permute(new int[] {4, 16, 8, 32}, new int[] {0, 2, 1, 3})),
                of("broadcast_to", broadcastTo(new int[] {3, 1}, new int[] {2, 3, 4})),
                of("slice_block_with_offset", sliceBlock()),
                of("vocab_parallel_row_max", vocabParallelCrossEntropy(40, 300, 300, 0)),
                of("vocab_parallel_row_sum_exp", vocabParallelCrossEntropy(40, 300, 300, 1)),
                of("vocab_parallel_pick_target", vocabParallelCrossEntropy(40, 300, 300, 2)),
                of("vocab_parallel_loss_from_stats", vocabParallelCrossEntropy(40, 300, 300, 3)),
                of("vocab_parallel_grad_from_stats", vocabParallelCrossEntropy(40, 300, 300, 4)),
                of("scale", t -> {
                    Twin.F x = t.gaussian(5000, 1);
                    Twin.F y = t.output(5000);
                    cpu.scale(x.host(), -0.37f, y.host(), 5000);
                    t.gpu.scale(x.dev(), -0.37f, y.dev(), 5000);
                    t.expectClose(y, FP32);
                }),
                of("reduce_bias_grad", reduce(new int[] {4, 7, 16}, new boolean[] {true, true, false}, 1f)),
                of("reduce_last", reduce(new int[] {4, 7, 16}, new boolean[] {false, false, true}, 1f)),
                of("reduce_alternating", reduce(new int[] {4, 7, 16}, new boolean[] {true, false, true}, 0.25f)),
                of("reduce_all_mean", reduce(new int[] {33, 65}, new boolean[] {true, true}, 1f / (33 * 65))),
                of("reduce_none", reduce(new int[] {5, 9}, new boolean[] {false, false}, 2f)),
                of("reduce_long_rows", reduce(new int[] {64, 30_000}, new boolean[] {false, true}, 1f)),
                of("reduce_long_columns", reduce(new int[] {30_000, 70}, new boolean[] {true, false}, 1f)),
                of("softmax", softmax(37, 50, 0)),
                of("softmax_causal", softmax(2 * 3 * 16, 16, 16)),
                of("softmax_causal_rectangular_batch", softmax(5 * 33, 33, 33)),
                of("softmax_long_rows", softmax(8, 5000, 0)),
                of("softmax_grad", softmaxGrad(37, 50)),
                of("softmax_grad_long_rows", softmaxGrad(4, 5000)),
                of("layer_norm", layerNorm(33, 768, 0)),
                of("layer_norm_long_rows", layerNorm(5, 3000, 0)),
                of("layer_norm_grad", layerNorm(33, 768, 1)),
                of("layer_norm_gamma_grad", layerNorm(1000, 70, 2)),
                of("patches_3x3_stride2_pad1", patches(3, 9, 7, 5, 3, 2, 1)),
                of("patches_7x7_stride2_pad3", patches(2, 16, 16, 3, 7, 2, 3)),
                of("patches_3x3_overlapping", patches(2, 6, 6, 8, 3, 1, 1)),
                of("patches_2x2_stride3", patches(1, 8, 8, 4, 2, 3, 0)),
                of("embedding_shard", embedding(false)),
                of("embedding_grad_shard", embedding(true)),
                of("cross_entropy", crossEntropy(64, 1000, false)),
                of("cross_entropy_large_vocab", crossEntropy(8, 50_257, false)),
                of("cross_entropy_grad", crossEntropy(64, 1000, true)),
                of("mse", t -> {
                    int n = 100_000;
                    Twin.F p = t.gaussian(n, 1);
                    Twin.F q = t.gaussian(n, 1);
                    Twin.F loss = t.output(1);
                    cpu.mse(p.host(), q.host(), loss.host(), n, 1f / n);
                    t.gpu.mse(p.dev(), q.dev(), loss.dev(), n, 1f / n);
                    t.expectClose(loss, FP32);
                }),
                of("momentum_update", t -> {
                    int n = 20_000;
                    Twin.F v = t.gaussian(n, 1);
                    Twin.F g = t.gaussian(n, 1);
                    Twin.F p = t.gaussian(n, 1);
                    Twin.F out = t.output(n);
                    cpu.momentumUpdate(v.host(), g.host(), p.host(), out.host(), n, 0.9f, 0.01f);
                    t.gpu.momentumUpdate(v.dev(), g.dev(), p.dev(), out.dev(), n, 0.9f, 0.01f);
                    t.expectClose(out, FP32);
                }),
                of("sgd_apply", t -> {
                    int n = 20_000;
                    Twin.F p = t.gaussian(n, 1);
                    Twin.F u = t.gaussian(n, 1);
                    Twin.F out = t.output(n);
                    cpu.sgdApply(p.host(), u.host(), out.host(), n, 0.05f);
                    t.gpu.sgdApply(p.dev(), u.dev(), out.dev(), n, 0.05f);
                    t.expectClose(out, FP32);
                }),
                of("adam_moment", t -> {
                    int n = 20_000;
                    Twin.F m = t.gaussian(n, 1);
                    Twin.F g = t.gaussian(n, 1);
                    Twin.F out = t.output(n);
                    cpu.adamMoment(m.host(), g.host(), out.host(), n, 0.9f, false);
                    t.gpu.adamMoment(m.dev(), g.dev(), out.dev(), n, 0.9f, false);
                    t.expectClose(out, FP32);
                }),
                of("adam_moment_squared", t -> {
                    int n = 20_000;
                    Twin.F m = t.uniform(n, 0, 1);
                    Twin.F g = t.gaussian(n, 1);
                    Twin.F out = t.output(n);
                    cpu.adamMoment(m.host(), g.host(), out.host(), n, 0.999f, true);
                    t.gpu.adamMoment(m.dev(), g.dev(), out.dev(), n, 0.999f, true);
                    t.expectClose(out, FP32);
                }),
                of("adam_apply", t -> {
                    int n = 20_000;
                    Twin.F p = t.gaussian(n, 1);
                    Twin.F m = t.gaussian(n, 0.1);
                    Twin.F v = t.uniform(n, 0, 0.01);
                    Twin.F step = t.input(new float[] {7});
                    Twin.F out = t.output(n);
                    cpu.adamApply(p.host(), m.host(), v.host(), step.host(), out.host(), n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f);
                    t.gpu.adamApply(p.dev(), m.dev(), v.dev(), step.dev(), out.dev(), n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f);
                    t.expectClose(out, FP32);
                }),
                of("step_increment", t -> {
                    Twin.F step = t.input(new float[] {41});
                    Twin.F out = t.output(1);
                    cpu.stepIncrement(step.host(), out.host());
                    t.gpu.stepIncrement(step.dev(), out.dev());
                    t.expectClose(out, FP32);
                    assertThat(t.download(out)).containsExactly(42f);
                }),
                of("top2_dispatch", routing(RoutingOp.Output.DISPATCH)),
                of("top2_combine", routing(RoutingOp.Output.COMBINE)),
                of("top2_combine_grad", routing(RoutingOp.Output.COMBINE_GRAD)),
                of("top1_mask", routing(RoutingOp.Output.TOP1)),
                of("gemm", gemm(false, false, 37, 29, 53, 1, false)),
                of("gemm_batched_transposed", gemm(true, true, 16, 24, 33, 3, false)),
                of("gemm_broadcast_b", gemm(false, true, 40, 24, 32, 3, true)),
                of("flag_nonfinite", t -> {
                    int n = 30_000;
                    Twin.F x = t.gaussian(n, 1e30);
                    for (int k = 0; k < 3; k++) {
                        Twin.F flag = t.input(new float[] {0});
                        int bad = k == 0 ? -1 : t.rnd.nextInt(n);
                        float[] v = x.host().clone();
                        if (bad >= 0) {
                            v[bad] = k == 1 ? Float.POSITIVE_INFINITY : Float.NaN;
                        }
                        Twin.F y = t.input(v);
                        cpu.flagNonFinite(y.host(), n, flag.host());
                        t.gpu.flagNonFinite(y.dev(), n, flag.dev());
                        assertThat(t.download(flag)).as("flag with %s", k == 0 ? "finite values" : "one non-finite").containsExactly(flag.host());
                        assertThat(flag.host()[0]).isEqualTo(k == 0 ? 0f : 1f);
                    }
                }),
                of("round_bf16", round(DType.BF16)),
                of("round_f16", round(DType.F16)),
                of("cast_to_bf16", t -> {
                    int n = 50_000;
                    Twin.F x = t.gaussian(n, 100);
                    Twin.H y = t.outputBf16(n);
                    cpu.toBf16(x.host(), y.host(), n);
                    t.gpu.toBf16(x.dev(), y.dev(), n);
                    t.expectClose(y, BF16);
                    float[] back = new float[n];
                    cpu.fromBf16(y.host(), back, n);
                    assertThat(Twin.relativeError(back, x.host())).as("bf16 against the fp32 it rounds").isLessThan(BF16);
                }),
                of("cast_from_bf16", t -> {
                    int n = 50_000;
                    short[] h = new short[n];
                    for (int i = 0; i < n; i++) {
                        h[i] = Bf16.fromFloat((float) t.rnd.nextGaussian());
                    }
                    Twin.H x = t.bf16(h);
                    Twin.F y = t.output(n);
                    cpu.fromBf16(x.host(), y.host(), n);
                    t.gpu.fromBf16(x.dev(), y.dev(), n);
                    t.expectClose(y, FP32);
                }));
    }
}
