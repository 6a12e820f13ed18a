package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.collective.CpuCollectives;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.lower.PipelineLowering;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.StageOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first device that fails ends the step at once with its own error: its peers, waiting for it at a
 * collective (whose timeout here is far longer than the test's), are freed rather than waited for.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeviceFailureTest {
    private static final long LINK_TIMEOUT_S = 3600;

    /** A CPU device whose softmax kernel throws. */
    @SuppressWarnings("unchecked")
    static Backend<float[], int[]> broken(String name) {
        CpuBackend cpu = new CpuBackend(name);
        Kernels<float[], int[]> k = (Kernels<float[], int[]>) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class}, (proxy, m, args) -> {
                    if (m.getName().equals("softmax")) {
                        throw new IllegalStateException(name + ": softmax kernel failed");
                    }
                    try {
                        return m.invoke(cpu.kernels(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Backend<>() {
            public String name() {
                return name;
            }

            public Kernels<float[], int[]> kernels() {
                return k;
            }

            public Object allocate(io.github.alpa4j.ir.TensorType t) {
                return cpu.allocate(t);
            }

            public void free(Object buffer) {
                cpu.free(buffer);
            }

            public void upload(Tensor host, Object buffer) {
                cpu.upload(host, buffer);
            }

            public Tensor download(Object buffer, io.github.alpa4j.ir.TensorType t) {
                return cpu.download(buffer, t);
            }

            public void synchronize() {
            }

            public void close() {
            }
        };
    }

    static Map<String, Tensor> batch() {
        return MeshTraining.data("gpt", MeshTraining.model("gpt")).batch(0);
    }

    @Test
    void aMeshStepEndsWithTheFailingDevicesError() {
        Graph g = MeshTraining.trainingGraph(MeshTraining.model("gpt"), Optimizer.AdamW.withLr(1e-3));
        var program = Lowering.lower(MeshTraining.plan(g, "2x2", PlanMethod.DP_MEGATRON));
        try (MeshRuntime<float[], int[]> rt = new MeshRuntime<>(program,
                d -> d == 3 ? broken("cpu3") : new CpuBackend("cpu" + d), new CpuCollectives(LINK_TIMEOUT_S), 1)) {
            assertThatThrownBy(() -> rt.step(batch())).hasMessage("cpu3: softmax kernel failed");
            assertThatThrownBy(() -> rt.step(batch())).hasMessageContaining("an earlier step on this mesh failed");
        }
    }

    @Test
    void aPipelineStepEndsWithTheFailingDevicesError() {
        Graph micro = MeshTraining.trainingGraph(io.github.alpa4j.engine.model.Models.gpt(
                new io.github.alpa4j.engine.model.GptConfig(2, 4, 32, 8, 16, 2)), Optimizer.AdamW.withLr(1e-3));
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:dp=1,tp=1,pp=2");
        Cluster c = ClusterPresets.byName("cpu", 1);
        PipelinePlan plan = MegatronPipeline.plan(micro, 4, new Cluster(c.name(), 1, 2, c.gpu(), c.intraHost(), c.interHost()), d,
                StageOptions.defaults());
        // the last stage fails in its first forward pass; the first stage waits for its gradients
        try (PipelineRuntime<float[], int[]> rt = new PipelineRuntime<>(PipelineLowering.lower(plan),
                dev -> dev == 1 ? broken("cpu1") : new CpuBackend("cpu" + dev), s -> new CpuCollectives(LINK_TIMEOUT_S),
                new CpuCollectives(LINK_TIMEOUT_S), new CpuCollectives(LINK_TIMEOUT_S), 1)) {
            assertThatThrownBy(() -> rt.step(batch())).hasMessage("cpu1: softmax kernel failed");
        }
    }
}
