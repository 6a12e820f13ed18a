package io.github.alpa4j.engine.validate;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.data.TeacherSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the validation suite: a model, a mesh, and a plan for it: {@code dp}, {@code megatron},
 * {@code dp-megatron} or {@code auto} (one intra-op plan over the mesh), {@code megatron:dp=..,tp=..,pp=..}
 * (a Megatron pipeline) or {@code stages} (Alpa's search over stages and shardings).
 */
public record ValidationCase(String model, String mesh, String plan) {
    /** Microbatches of every pipeline case. */
    static final int MICROBATCHES = 4;

    @Override
    public String toString() {
        return model + " " + mesh + " " + plan;
    }

    public boolean pipeline() {
        return plan.startsWith("megatron:") || plan.equals("stages");
    }

    /** The suite: MLPs and GPTs of several sizes, every manual plan, auto, 2- and 4-stage pipelines, on meshes 1x2, 2x1 and 2x2. */
    public static List<ValidationCase> suite() {
        List<ValidationCase> s = new ArrayList<>();
        for (String p : List.of("dp", "megatron", "dp-megatron", "auto", "megatron:dp=2,tp=1,pp=2", "megatron:dp=1,tp=1,pp=4", "stages")) {
            s.add(new ValidationCase("gpt-m", "2x2", p));
        }
        for (String p : List.of("dp", "megatron", "auto", "megatron:dp=1,tp=1,pp=2")) {
            s.add(new ValidationCase("gpt-s", "1x2", p));
        }
        for (String p : List.of("dp", "megatron", "dp-megatron", "auto")) {
            s.add(new ValidationCase("mlp-m", "2x1", p));
        }
        for (String p : List.of("dp", "megatron", "megatron:dp=1,tp=1,pp=2")) {
            s.add(new ValidationCase("mlp-s", "1x2", p));
        }
        return s;
    }

    /** The model at {@code batch} samples (a pipeline's microbatch, or the whole batch). */
    Model build(int batch) {
        return switch (model) {
            case "gpt-s" -> Models.gpt(new GptConfig(2, 4, 64, 32, 64, batch));
            case "gpt-m" -> Models.gpt(new GptConfig(4, 4, 128, 64, 256, batch));
            case "mlp-s" -> Models.mlp(new MlpConfig(64, List.of(256, 256, 256), 32, Activation.GELU, batch));
            case "mlp-m" -> Models.mlp(new MlpConfig(256, List.of(1024, 1024, 1024), 128, Activation.GELU, batch));
            default -> throw new IllegalArgumentException("no suite model " + model);
        };
    }

    int batch() {
        return model.startsWith("gpt") ? 16 : 64;
    }

    DataSource data(Model m, long seed) {
        return switch (model) {
            case "gpt-s" -> new MarkovSource(64, batch(), 32, seed, m.dataInput(), m.labelInput());
            case "gpt-m" -> new MarkovSource(256, batch(), 64, seed, m.dataInput(), m.labelInput());
            case "mlp-s" -> new TeacherSource(64, 32, batch(), seed, m.dataInput(), m.labelInput());
            default -> new TeacherSource(256, 128, batch(), seed, m.dataInput(), m.labelInput());
        };
    }
}
