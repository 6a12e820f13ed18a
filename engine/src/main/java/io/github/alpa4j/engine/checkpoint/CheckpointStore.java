package io.github.alpa4j.engine.checkpoint;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.runtime.VariableShard;
import io.github.alpa4j.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of checkpoints, one subdirectory per step ({@code step-00000120}): a shard file per
 * device, the plan, and the manifest, written last (docs/checkpoint.md). Every file goes to a
 * temporary name, is forced to disk and renamed; a step directory without its manifest is incomplete
 * and never loaded. The newest {@code keep} complete checkpoints are kept.
 */
public final class CheckpointStore {
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{8,})");
    private static final String PLAN_FILE = "plan.json";

    private final Path dir;
    private final int keep;

    /** A complete checkpoint found on disk, and its directory. */
    public record Found(Path path, Checkpoint checkpoint) {
    }

    public CheckpointStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** The plan file of the checkpoint in {@code stepDir} (it may have none: one device). */
    public static Path planFile(Path stepDir) {
        return stepDir.resolve(PLAN_FILE);
    }

    /** Refuses, in one line and before any work, a checkpoint directory that cannot be written. */
    public static void check(String flag, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new UserInputException(flag + " " + dir + ": " + (existing == null ? abs : existing) + " is not a directory");
        }
        if (!Files.isWritable(existing)) {
            throw new UserInputException(flag + " " + dir + ": cannot create files in " + existing);
        }
    }

    /** Writes {@code c} as the checkpoint of its step, then drops the complete ones beyond the newest {@code keep}. */
    public Path save(Checkpoint c) {
        return save(c, RankGroup.single(c.layout().size()));
    }

    /**
     * Writes the checkpoint of a job whose devices several processes drive, every process calling it
     * together: rank 0 makes the step directory, every rank writes the shard files of its devices
     * ({@code c}'s blocks of the others are null), the ranks tell rank 0 what they wrote, and rank 0
     * writes the plan and the manifest last. The directory must be one that every rank sees (one host,
     * or a shared file system).
     */
    public Path save(Checkpoint c, RankGroup ranks) {
        Path target = dir.resolve(String.format("step-%08d", c.step()));
        if (ranks.rank() == 0) {
            try {
                delete(target);
                Files.createDirectories(target);
            } catch (IOException e) {
                throw new UserInputException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
            }
        }
        ranks.allGather(new byte[0]); // the directory exists, empty, before any rank writes into it
        java.nio.ByteBuffer mine = java.nio.ByteBuffer.allocate(20 * c.layout().size());
        for (int d = 0; d < c.layout().size(); d++) {
            if (ranks.drives(d)) {
                ShardFile.Written w = ShardFile.write(target.resolve(shardName(d)), c.blocks().get(d));
                mine.putInt(d).putLong(w.bytes()).putLong(w.crc32c());
            }
        }
        ShardFile.Written[] written = new ShardFile.Written[c.layout().size()];
        for (byte[] theirs : ranks.allGather(java.util.Arrays.copyOf(mine.array(), mine.position()))) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(theirs);
            while (in.hasRemaining()) {
                written[in.getInt()] = new ShardFile.Written(in.getLong(), in.getLong());
            }
        }
        if (ranks.rank() == 0) {
            writeManifest(c, target, written);
        }
        ranks.allGather(new byte[0]); // no rank goes on before the checkpoint is complete
        return target;
    }

    private static String shardName(int device) {
        return "device-" + device + ".bin";
    }

    private void writeManifest(Checkpoint c, Path target, ShardFile.Written[] written) {
        List<Manifest.DeviceFile> files = new ArrayList<>();
        for (int d = 0; d < c.layout().size(); d++) {
            files.add(new Manifest.DeviceFile(shardName(d), written[d], c.layout().get(d)));
        }
        c.plan().ifPresent(p -> OutputFile.write(target.resolve(PLAN_FILE), p));
        Manifest m = new Manifest(c.step(), c.run(), files, c.history(), c.plan().isPresent() ? PLAN_FILE : null);
        OutputFile.write(target.resolve(Manifest.FILE), m.toJson());
        OutputFile.forceDirectory(dir);
        prune();
    }

    /**
     * The newest complete checkpoint whose files all pass their checks; {@code skipped} hears one line
     * about each newer one passed over (incomplete, or damaged).
     */
    public Optional<Found> newest(Consumer<String> skipped) {
        for (Path step : stepDirs()) {
            if (!Files.exists(step.resolve(Manifest.FILE))) {
                skipped.accept("skipping incomplete checkpoint " + step + " (no manifest: its writing was interrupted)");
                continue;
            }
            try {
                return Optional.of(new Found(step, load(step)));
            } catch (IOException | RuntimeException e) {
                skipped.accept("skipping damaged checkpoint " + step + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static Checkpoint load(Path step) throws IOException {
        Manifest m = Manifest.parse(Files.readString(step.resolve(Manifest.FILE), StandardCharsets.UTF_8));
        List<List<VariableShard>> layout = new ArrayList<>();
        List<List<Tensor>> blocks = new ArrayList<>();
        for (Manifest.DeviceFile f : m.devices()) {
            layout.add(f.blocks());
            blocks.add(ShardFile.read(step.resolve(f.file()), f.blocks().stream().map(VariableShard::local).toList(), f.written()));
        }
        Optional<String> plan = m.planFile() == null ? Optional.empty()
                : Optional.of(Files.readString(step.resolve(m.planFile()), StandardCharsets.UTF_8));
        return new Checkpoint(m.step(), m.run(), layout, blocks, m.history(), plan);
    }

    /** Step directories, newest first. */
    private List<Path> stepDirs() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> STEP_DIR.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf).reversed()).toList();
        } catch (IOException e) {
            throw new UserInputException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long stepOf(Path p) {
        Matcher m = STEP_DIR.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Keeps the newest {@code keep} complete checkpoints and drops incomplete ones older than the newest complete one. */
    private void prune() {
        int complete = 0;
        for (Path step : stepDirs()) {
            boolean done = Files.exists(step.resolve(Manifest.FILE));
            try {
                if (done && ++complete > keep || !done && complete > 0) {
                    delete(step);
                }
            } catch (IOException e) {
                throw new UserInputException("cannot remove old checkpoint " + step + ": " + e.getMessage(), e);
            }
        }
    }

    /** Removes a step directory, its manifest first so that it is never seen complete with files missing. */
    private static void delete(Path step) throws IOException {
        if (!Files.exists(step)) {
            return;
        }
        if (Files.deleteIfExists(step.resolve(Manifest.FILE))) {
            OutputFile.forceDirectory(step);
        }
        try (Stream<Path> s = Files.list(step)) {
            for (Path f : s.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(step);
    }
}
