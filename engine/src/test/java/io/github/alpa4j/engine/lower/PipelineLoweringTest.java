package io.github.alpa4j.engine.lower;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.collective.BlockTransfer;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.runtime.MeshTraining;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What lowering emits for a pipeline: every transfer, sum and free is an instruction of some device's program. */
class PipelineLoweringTest {
    static PipelineProgram lower(String degrees, int microbatches) {
        var micro = MeshTraining.trainingGraph(Models.gpt(new GptConfig(4, 4, 32, 8, 16, 8 / microbatches)), Optimizer.AdamW.withLr(1e-3));
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        Cluster c = ClusterPresets.byName("cpu", 1);
        Cluster cpu = new Cluster(c.name(), 1, d.devices(), c.gpu(), c.intraHost(), c.interHost());
        PipelinePlan plan = MegatronPipeline.plan(micro, microbatches, cpu, d, StageOptions.defaults());
        return PipelineLowering.lower(plan);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dp=1,tp=1,pp=2", "dp=2,tp=1,pp=2", "dp=1,tp=2,pp=2", "dp=2,tp=1,pp=4"})
    void sendsAndReceivesPairUpInOneOrderAndCoverEachReceiversBlock(String degrees) {
        PipelineProgram p = lower(degrees, 4);
        // (from, to, channel) -> the pieces in the order the sender sends them, and the order the receiver receives them
        Map<String, List<BlockTransfer.Piece>> sent = new TreeMap<>();
        Map<String, List<BlockTransfer.Piece>> received = new TreeMap<>();
        Map<String, Long> receivedElements = new TreeMap<>();
        for (StageProgram st : p.stages()) {
            for (int d = 0; d < st.deviceCount(); d++) {
                StageProgram.DevicePasses passes = st.devices().get(d);
                for (StageProgram.Pass pass : List.of(passes.forward(), passes.backward())) {
                    for (Instruction ins : pass.send()) {
                        if (ins instanceof Instruction.Send s) {
                            assertThat(s.piece().from()).isEqualTo(st.firstDevice() + d);
                            sent.computeIfAbsent(key(s.piece()), k -> new ArrayList<>()).add(s.piece());
                        }
                    }
                    for (Instruction ins : pass.receive()) {
                        if (ins instanceof Instruction.Recv r) {
                            assertThat(r.piece().to()).isEqualTo(st.firstDevice() + d);
                            received.computeIfAbsent(key(r.piece()), k -> new ArrayList<>()).add(r.piece());
                            receivedElements.merge(st.firstDevice() + d + "/" + r.slot(), r.piece().elements(), Long::sum);
                            long shard = st.program().slot(r.slot()).local().size();
                            assertThat(r.piece().elements()).isLessThanOrEqualTo(shard);
                        }
                    }
                }
            }
        }
        assertThat(sent).isNotEmpty();
        assertThat(received).isEqualTo(sent);
        // every receiving device's shard of a received value is filled exactly once
        for (StageProgram st : p.stages()) {
            for (int d = 0; d < st.deviceCount(); d++) {
                for (Instruction ins : st.devices().get(d).forward().receive()) {
                    if (ins instanceof Instruction.Recv r) {
                        assertThat(receivedElements.get(st.firstDevice() + d + "/" + r.slot()))
                                .isEqualTo(st.program().slot(r.slot()).local().size());
                    }
                }
            }
        }
    }

    private static String key(BlockTransfer.Piece p) {
        return p.from() + "->" + p.to() + " " + p.channel();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void everyPassReadsOnlyWhatWasWrittenAndTheUpdateReadsTheMeanOfTheSums(int microbatches) {
        PipelineProgram p = lower("dp=2,tp=1,pp=2", microbatches);
        for (StageProgram st : p.stages()) {
            MeshProgram prog = st.program();
            for (StageProgram.DevicePasses passes : st.devices()) {
                Set<Integer> held = new HashSet<>(prog.variables().values());
                for (List<Instruction> part : List.of(passes.forward().receive(), passes.forward().compute(), passes.forward().send(),
                        passes.backward().receive(), passes.backward().compute(), passes.backward().send())) {
                    walk(part, held, prog);
                }
                held.removeIf(s -> prog.slot(s).isAlias());
                assertThat(held).as("stage %d holds only its variables after a microbatch", st.index())
                        .isEqualTo(new HashSet<>(prog.variables().values()));
                List<Integer> summed = passes.backward().send().stream().filter(i -> i instanceof Instruction.Accumulate)
                        .map(i -> ((Instruction.Accumulate) i).storage()).toList();
                List<Instruction.Average> means = passes.update().stream().filter(i -> i instanceof Instruction.Average)
                        .map(i -> (Instruction.Average) i).toList();
                assertThat(summed).isNotEmpty();
                assertThat(means).extracting(Instruction.Average::storage).containsExactlyElementsOf(summed);
                assertThat(means).allSatisfy(a -> assertThat(a.microbatches()).isEqualTo(microbatches));
                assertThat(passes.update().subList(0, means.size())).containsExactlyElementsOf(means);
                Set<Integer> inUpdate = new HashSet<>(prog.variables().values());
                walk(passes.update(), inUpdate, prog);
            }
        }
    }

    /** Follows one part of a pass: every read slot must be held; writes add, frees and sums remove. */
    private static void walk(List<Instruction> code, Set<Integer> held, MeshProgram prog) {
        for (Instruction ins : code) {
            for (int r : ins.reads()) {
                assertThat(held).as("%s reads slot %d", ins, r).contains(r);
            }
            switch (ins) {
                case Instruction.Free f -> held.remove(f.slot());
                case Instruction.Accumulate a -> held.remove(a.storage());
                case Instruction.Average a -> {
                    held.add(a.storage());
                    held.addAll(a.views());
                }
                default -> {
                    if (ins.written() >= 0) {
                        held.add(ins.written());
                    }
                }
            }
        }
    }
}
