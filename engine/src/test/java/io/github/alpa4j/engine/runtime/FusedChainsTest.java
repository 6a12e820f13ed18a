package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The chains found in a GPT's training step, and a fused run against the same run unfused. */
class FusedChainsTest {
    private static final GptRun RUN = new GptRun("fused", new GptConfig(2, 4, 32, 16, 16, 4), 1e-3, 9, 4);

    /**
     * Per block: the scores' scale and softmax, their gradients, the MLP's bias and GELU; a residual add
     * before every layer norm but the first (two per block and the final one, less the first block's
     * ln1, whose input adds the position table broadcast over the batch); AdamW on each parameter.
     */
    @Test
    void aGptHasItsChainsCountedByHand() {
        int layers = RUN.config().layers();
        int parameters = RUN.model().forward().parameters().size();
        try (CpuBackend cpu = new CpuBackend()) {
            SingleDeviceExecutor<float[], int[]> ex = new SingleDeviceExecutor<>(RUN.trainingGraph(), cpu, RUN.seed(), Set.of("loss"));
            assertThat(ex.fusedChains()).containsExactlyInAnyOrder("ScaleSoftmax x" + layers, "SoftmaxGradScale x" + layers,
                    "BiasGelu x" + layers, "AddLayerNorm x" + 2 * layers, "AdamStep x" + parameters);
        }
    }

    @Test
    void fusedStepsEqualUnfusedStepsBitForBit() {
        try (CpuBackend fusing = new CpuBackend(); CpuBackend cpu = new CpuBackend()) {
            SingleDeviceExecutor<float[], int[]> fused = new SingleDeviceExecutor<>(RUN.trainingGraph(), fusing, RUN.seed(), Set.of("loss"));
            SingleDeviceExecutor<float[], int[]> plain = new SingleDeviceExecutor<>(RUN.trainingGraph(), unfused(cpu), RUN.seed(), Set.of("loss"));
            assertThat(plain.fusedChains()).isEmpty();
            assertThat(RUN.losses(fused)).isEqualTo(RUN.losses(plain));
            Map<String, Tensor> want = plain.parameters();
            fused.parameters().forEach((name, t) -> assertThat(t.floats()).as(name).isEqualTo(want.get(name).floats()));
        }
    }

    /** The CPU backend with kernels that offer no fused chains (a proxy of the plain interface). */
    @SuppressWarnings("unchecked")
    private static Backend<float[], int[]> unfused(CpuBackend cpu) {
        Kernels<float[], int[]> plain = (Kernels<float[], int[]>) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(cpu.kernels(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Backend<>() {
            public String name() {
                return cpu.name();
            }

            public Kernels<float[], int[]> kernels() {
                return plain;
            }

            public Object allocate(TensorType t) {
                return cpu.allocate(t);
            }

            public void free(Object buffer) {
                cpu.free(buffer);
            }

            public void upload(Tensor host, Object buffer) {
                cpu.upload(host, buffer);
            }

            public Tensor download(Object buffer, TensorType t) {
                return cpu.download(buffer, t);
            }

            public void synchronize() {
            }

            public void close() {
            }
        };
    }

    @Test
    void noChainWithoutItsPattern() {
        // an MLP with ReLU and SGD: no softmax, no GELU, no layer norm, no Adam
        var mlp = io.github.alpa4j.engine.model.Models.mlp(new io.github.alpa4j.engine.model.MlpConfig(8, List.of(16), 4,
                io.github.alpa4j.ir.ElementwiseOp.Activation.RELU, 4));
        var g = io.github.alpa4j.ir.autodiff.Autodiff.training(mlp.forward(), "loss", new io.github.alpa4j.ir.autodiff.Optimizer.Sgd(0.1, 0.9, 0));
        assertThat(FusedChains.find(g).summary()).isEmpty();
    }
}
