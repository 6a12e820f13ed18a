package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.ImageTeacherSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.WideResNet;
import io.github.alpa4j.engine.model.WideResNetConfig;
import io.github.alpa4j.ir.Precision;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The Wide-ResNet's size flags (--depth is shared with the MLP and lives in {@link ModelOptions}). */
public final class WideResNetOptions {
    static final List<String> FLAGS = List.of("--width-factor", "--base-channels", "--image", "--classes");

    /** Depth when --depth is not given: Alpa's Wide-ResNet-50. */
    static final int DEFAULT_DEPTH = 50;

    @Option(names = "--width-factor", defaultValue = "2", description = "wresnet: bottleneck width factor (default: ${DEFAULT-VALUE}).")
    int widthFactor;

    @Option(names = "--base-channels", defaultValue = "64", description = "wresnet: channels of the stem and the first stage's"
            + " bottlenecks, doubling per stage (Alpa's cases use 160 to 640) (default: ${DEFAULT-VALUE}).")
    int baseChannels;

    @Option(names = "--image", defaultValue = "224", description = "wresnet: image height and width (default: ${DEFAULT-VALUE}).")
    int image;

    @Option(names = "--classes", defaultValue = "1024", description = "wresnet: classes of the head (default: ${DEFAULT-VALUE}).")
    int classes;

    WideResNetConfig config(int depth, int batch) {
        WideResNetConfig c = WideResNetConfig.of(depth, widthFactor, baseChannels, image, classes, batch);
        ModelSize.wresnet(c);
        return c;
    }

    Model build(int depth, int batch, Precision precision) {
        return WideResNet.build(config(depth, batch), precision);
    }

    DataSource data(Model m, int batch, long seed) {
        return new ImageTeacherSource(batch, image, 3, classes, seed, m.dataInput(), m.labelInput());
    }

    void sizes(Map<String, Object> c, int depth) {
        c.put("depth", depth);
        c.put("width_factor", widthFactor);
        c.put("base_channels", baseChannels);
        c.put("image", image);
        c.put("classes", classes);
    }
}
