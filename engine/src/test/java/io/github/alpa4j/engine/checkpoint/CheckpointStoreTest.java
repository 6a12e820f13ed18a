package io.github.alpa4j.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.runtime.VariableShard;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    /** Two devices of a 1x2 mesh, each holding half of "w" (split over axis 1) and the whole "optimizer/step". */
    static Checkpoint checkpoint(long step, long seed) {
        MeshGroups mesh = new MeshGroups(1, 2);
        TensorType w = TensorType.f32(4, 6);
        SplittableRandom r = new SplittableRandom(seed);
        List<List<VariableShard>> layout = new ArrayList<>();
        List<List<Tensor>> blocks = new ArrayList<>();
        for (int d = 0; d < 2; d++) {
            VariableShard ws = new VariableShard("w", 0, w, ShardingSpec.parse("RS1"), mesh, d);
            VariableShard ss = new VariableShard("optimizer/step", 0, TensorType.scalarF32(), ShardingSpec.parse("()"), mesh, d);
            float[] v = new float[12];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            v[3] = Float.intBitsToFloat(0x7fc00123); // a NaN with a payload: bits, not values, must survive
            layout.add(List.of(ss, ws));
            blocks.add(List.of(Tensor.scalar(step), Tensor.of(ws.local(), v)));
        }
        List<StepMetrics> history = new ArrayList<>();
        for (long s = 0; s < step; s++) {
            history.add(new StepMetrics(s, 2.0 / (s + 1) + 1e-17 * s, 0.01, 1000, Map.of("all-reduce", 96L), new long[] {10, 20}));
        }
        return new Checkpoint(step, Map.of("model", "gpt", "hidden", 16L), layout, blocks, history, Optional.of("{\"plan\": 1}\n"));
    }

    @Test
    void aCheckpointReadsBackBitForBit(@TempDir Path dir) {
        Checkpoint c = checkpoint(3, 1);
        Path where = new CheckpointStore(dir, 3).save(c);
        assertThat(where).isEqualTo(dir.resolve("step-00000003"));
        Checkpoint back = new CheckpointStore(dir, 3).newest(s -> { }).orElseThrow().checkpoint();
        assertThat(back.step()).isEqualTo(3);
        assertThat(back.layout()).isEqualTo(c.layout());
        assertThat(back.run()).containsEntry("model", "gpt").containsEntry("hidden", 16L);
        assertThat(back.plan()).contains("{\"plan\": 1}\n");
        for (int d = 0; d < 2; d++) {
            for (int b = 0; b < 2; b++) {
                float[] want = c.blocks().get(d).get(b).floats();
                float[] got = back.blocks().get(d).get(b).floats();
                assertThat(got).hasSameSizeAs(want);
                for (int i = 0; i < want.length; i++) {
                    assertThat(Float.floatToRawIntBits(got[i])).isEqualTo(Float.floatToRawIntBits(want[i]));
                }
            }
        }
        for (int s = 0; s < 3; s++) {
            assertThat(back.history().get(s).loss()).isEqualTo(c.history().get(s).loss());
            assertThat(back.history().get(s).collectiveBytes()).isEqualTo(Map.of("all-reduce", 96L));
        }
    }

    @Test
    void aCheckpointWithoutItsManifestIsNeverLoaded(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5);
        store.save(checkpoint(2, 1));
        Path newer = store.save(checkpoint(4, 2));
        Files.delete(newer.resolve("manifest.json"));
        Files.createDirectories(dir.resolve("step-00000006"));  // killed while writing its first shard
        Files.writeString(dir.resolve("step-00000006").resolve(".device-0.bin123.tmp"), "half");
        List<String> skipped = new ArrayList<>();
        CheckpointStore.Found f = store.newest(skipped::add).orElseThrow();
        assertThat(f.checkpoint().step()).isEqualTo(2);
        assertThat(skipped).hasSize(2).allMatch(s -> s.contains("incomplete"));
    }

    @Test
    void aDamagedShardIsNeverLoaded(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 5);
        store.save(checkpoint(2, 1));
        Path newer = store.save(checkpoint(4, 2));
        byte[] b = Files.readAllBytes(newer.resolve("device-1.bin"));
        b[17] ^= 1;
        Files.write(newer.resolve("device-1.bin"), b);
        List<String> skipped = new ArrayList<>();
        assertThat(store.newest(skipped::add).orElseThrow().checkpoint().step()).isEqualTo(2);
        assertThat(skipped).singleElement().asString().contains("damaged", "CRC-32C");
        Files.write(newer.resolve("device-1.bin"), java.util.Arrays.copyOf(b, 9));
        skipped.clear();
        assertThat(store.newest(skipped::add).orElseThrow().checkpoint().step()).isEqualTo(2);
        assertThat(skipped).singleElement().asString().contains("holds 9 bytes");
    }

    @Test
    void onlyTheNewestKAreKeptAndDebrisOlderThanThemGoes(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("step-00000001"));  // an interrupted save, older than what follows
        CheckpointStore store = new CheckpointStore(dir, 2);
        for (long s = 2; s <= 5; s++) {
            store.save(checkpoint(s, s));
        }
        try (var names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("step-00000004", "step-00000005");
        }
    }

    @Test
    void savingAStepAgainReplacesIt(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir, 3);
        store.save(checkpoint(3, 1));
        store.save(checkpoint(3, 9));
        Checkpoint back = store.newest(s -> { }).orElseThrow().checkpoint();
        assertThat(back.blocks().get(1).get(1).floats()).containsExactly(checkpoint(3, 9).blocks().get(1).get(1).floats());
    }

    @Test
    void anEmptyDirectoryHasNone(@TempDir Path dir) {
        assertThat(new CheckpointStore(dir.resolve("none"), 3).newest(s -> { })).isEmpty();
    }
}
