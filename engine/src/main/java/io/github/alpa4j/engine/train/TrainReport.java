package io.github.alpa4j.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.alpa4j.engine.io.OutputFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The metrics file of a run (fields documented in docs/train-json.md) and the closing summary. */
public final class TrainReport {
    private TrainReport() {
    }

    public static Map<String, Object> toJson(TrainResult r, Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("config", config);
        m.put("backend", r.backend());
        m.put("data", r.data());
        m.put("parameters", r.parameters());
        r.entropyFloor().ifPresent(f -> m.put("entropy_floor", f));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepMetrics s : r.steps()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("step", s.step());
            e.put("loss", s.loss());
            e.put("tokens_per_s", s.tokensPerSecond());
            e.put("seconds", s.seconds());
            if (s.lossScaled()) {
                e.put("loss_scale", s.lossScale());
                e.put("skipped", s.skipped());
            }
            if (!s.collectiveBytes().isEmpty()) {
                e.put("collective_bytes", new java.util.TreeMap<>(s.collectiveBytes()));
            }
            steps.add(e);
        }
        m.put("steps", steps);
        m.put("status", switch (r.ending()) {
            case Ending.Completed c -> "completed";
            case Ending.Stopped s -> "interrupted";
            case Ending.Diverged d -> "diverged";
        });
        m.put("final_loss", r.lastLoss());
        m.put("mean_tokens_per_s", r.meanTokensPerSecond());
        m.put("peak_bytes_per_device", r.peakBytesPerDevice());
        m.put("peak_bytes_by_device", r.steps().getLast().peakBytesPerDevice());
        m.put("matmul_share", r.matmulShare());
        m.put("collective_share", r.collectiveShare());
        return m;
    }

    /**
     * Adds what {@code --energy} measured: {@code energy_j_per_iteration}, {@code avg_power_w},
     * {@code tokens_per_joule} and each step's {@code energy_j}.
     */
    public static void addEnergy(Map<String, Object> json, io.github.alpa4j.energy.monitor.EnergySummary e) {
        json.put("energy_j_per_iteration", e.joulesPerIteration());
        json.put("avg_power_w", e.averagePowerWatts());
        json.put("tokens_per_joule", e.tokensPerJoule());
        if (json.get("steps") instanceof List<?> steps) {
            // a resumed run measured only its own steps, the last ones
            int before = steps.size() - e.iterationJoules().size();
            if (before < 0) {
                throw new IllegalArgumentException(steps.size() + " steps but " + e.iterationJoules().size() + " measured iterations");
            }
            for (int i = 0; i < e.iterationJoules().size(); i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> step = (Map<String, Object>) steps.get(before + i);
                step.put("energy_j", e.iterationJoules().get(i));
            }
        }
    }

    /** Writes the metrics file atomically: a failed or interrupted write leaves the previous one whole. */
    public static void write(Path file, Map<String, Object> json) {
        try {
            OutputFile.write(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render the metrics of " + file, e);
        }
    }

    /** A few lines closing a run: losses against the floor, throughput, memory, BLAS share. */
    public static String summary(TrainResult r) {
        StringBuilder sb = new StringBuilder();
        int tail = Math.min(10, r.steps().size());
        sb.append(String.format("loss %.4f -> %.4f (mean of last %d steps %.4f)%n", r.firstLoss(), r.lastLoss(), tail, r.meanLastLoss(tail)));
        r.entropyFloor().ifPresent(f -> sb.append(f > 0 ? String.format("entropy floor %.4f nats: final loss is %.1f%% above it%n",
                f, 100 * (r.meanLastLoss(tail) / f - 1)) : String.format("entropy floor 0 nats: final loss is %.4f above it%n", r.meanLastLoss(tail))));
        long skipped = r.steps().stream().filter(StepMetrics::skipped).count();
        if (r.steps().getLast().lossScaled()) {
            sb.append(String.format("loss scale %.0f at the last step; %d of %d steps skipped for an fp16 overflow%n",
                    r.steps().getLast().lossScale(), skipped, r.steps().size()));
        }
        sb.append(String.format("throughput %.0f tokens/s on %s; matmuls %.0f%% of step time%s; peak memory %.1f MiB per device%n",
                r.meanTokensPerSecond(), r.backend(), 100 * r.matmulShare(),
                r.collectiveShare() > 0 ? String.format(", collectives %.0f%%", 100 * r.collectiveShare()) : "",
                r.peakBytesPerDevice() / 1048576.0));
        return sb.toString();
    }
}
