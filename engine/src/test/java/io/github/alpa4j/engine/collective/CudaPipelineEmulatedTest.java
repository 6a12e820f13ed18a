package io.github.alpa4j.engine.collective;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.lower.PipelineLowering;
import io.github.alpa4j.engine.lower.PipelineProgram;
import io.github.alpa4j.engine.lower.StageProgram;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.runtime.MeshRuntime;
import io.github.alpa4j.engine.runtime.MeshTraining;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CUDA backend's runtimes without a GPU: logical devices of an emulated GPU whose streams run late
 * and interleave (only events order them), joined by {@link CudaCollectives} with its eager sends.
 * Pipelines (1F1B sends activations forward and gradients backward at once, which blocking sends
 * would deadlock) and meshes train as one CPU device does. The GPU twin is in the GPU check.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CudaPipelineEmulatedTest {
    static final long SEED = new Random().nextLong();
    static final int STEPS = 3;
    static final int MICROBATCHES = 4;

    static Model gpt(int batch) {
        return Models.gpt(new GptConfig(4, 4, 32, 8, 16, batch));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {"dp=1,tp=1,pp=2 | ONE_F_ONE_B", "dp=2,tp=1,pp=2 | ONE_F_ONE_B", "dp=1,tp=2,pp=2 | GPIPE"})
    void pipelineOnLogicalDevicesOfOneGpuEqualsOneCpuDevice(String degrees, PipelineSchedule schedule) {
        Optimizer opt = new Optimizer.Sgd(0.05, 0.9, 0);
        Graph micro = MeshTraining.trainingGraph(gpt(8 / MICROBATCHES), opt);
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        Cluster c = ClusterPresets.byName("cpu", 1);
        PipelinePlan plan = MegatronPipeline.plan(micro, MICROBATCHES, new Cluster(c.name(), 1, d.devices(), c.gpu(), c.intraHost(),
                c.interHost()), d, StageOptions.defaults().withSchedule(schedule));
        PipelineProgram program = PipelineLowering.lower(plan);
        try (HostDevices gpu = new HostDevices(program.deviceCount(), SEED, 50)) {
            List<CudaCollectives.Member> members = new ArrayList<>();
            for (int i = 0; i < program.deviceCount(); i++) {
                members.add(gpu.member(i));
            }
            List<CudaCollectives> stageLinks = new ArrayList<>();
            for (StageProgram st : program.stages()) {
                stageLinks.add(new CudaCollectives(members.subList(st.firstDevice(), st.firstDevice() + st.deviceCount()), 60));
            }
            try (CudaCollectives forward = new CudaCollectives(members, 60);
                 CudaCollectives backward = new CudaCollectives(members, 60);
                 PipelineRuntime<DeviceBuffer, DeviceBuffer> rt = new PipelineRuntime<>(program, gpu::backend, stageLinks::get,
                         forward, backward, 11)) {
                assertSameLosses(rt, MeshTraining.trainingGraph(gpt(8), opt), "seed " + SEED);
            } finally {
                stageLinks.forEach(CudaCollectives::close);
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"megatron, 1x2", "dp, 2x2"})
    void meshOnLogicalDevicesOfOneGpuEqualsOneCpuDevice(String method, String mesh) {
        Optimizer opt = Optimizer.AdamW.withLr(1e-3);
        Graph g = MeshTraining.trainingGraph(gpt(8), opt);
        var program = Lowering.lower(MeshTraining.plan(g, mesh, PlanMethod.parse(method)));
        int n = program.plan().mesh().deviceCount();
        try (HostDevices gpu = new HostDevices(n, SEED, 50)) {
            List<CudaCollectives.Member> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                members.add(gpu.member(i));
            }
            try (CudaCollectives links = new CudaCollectives(members, 60);
                 MeshRuntime<DeviceBuffer, DeviceBuffer> rt = new MeshRuntime<>(program, gpu::backend, links, 11)) {
                assertSameLosses(rt, g, "seed " + SEED);
            }
        }
    }

    private static void assertSameLosses(StepRunner many, Graph whole, String what) {
        DataSource data = MeshTraining.data("gpt", gpt(8));
        List<Double> want = MeshTraining.losses(MeshTraining.single(whole, 11), data, STEPS);
        List<Double> got = MeshTraining.losses(many, MeshTraining.data("gpt", gpt(8)), STEPS);
        for (int s = 0; s < STEPS; s++) {
            assertThat(Math.abs(got.get(s) - want.get(s)) / Math.abs(want.get(s)))
                    .as("%s: step %d loss %s vs %s", what, s, got.get(s), want.get(s)).isLessThan(1e-5);
        }
    }
}
