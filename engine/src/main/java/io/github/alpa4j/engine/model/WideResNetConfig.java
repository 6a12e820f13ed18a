package io.github.alpa4j.engine.model;

import io.github.alpa4j.engine.UserInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Wide-ResNet as Alpa's benchmark builds it (alpa/model/wide_resnet.py, after flax's ResNet-v1):
 * a 7x7 stride-2 stem convolution, batch norm, ReLU and 3x3 stride-2 pooling, then stages of
 * bottleneck blocks (1x1 conv to {@code f} channels, 3x3 conv to f·width factor, 1x1 conv to 4f, each
 * with batch norm; stride 2 in the 3x3 conv of each stage's first block after the first), f doubling
 * per stage from {@code baseChannels}; global average pooling and a linear head over {@code classes}.
 * Depth counts the weighted layers: 3 per block plus stem and head, so 50, 101, 152 and 200 have
 * ResNet's stage sizes and other depths 3·blocks + 2 spread their blocks over up to four stages.
 * Images are NHWC with {@code channels} colour channels. The stem pools by averaging (Alpa's takes
 * the maximum; alpa4j has no max reduction), which has the same shapes and costs.
 */
public record WideResNetConfig(int depth, int widthFactor, int baseChannels, int image, int classes, int channels, int batch) {
    /** The deepest model built (ResNet-200 is 200); graphs stay within what planning handles in minutes. */
    public static final int MAX_DEPTH = 1001;

    public WideResNetConfig {
        MlpConfig.positive("width factor", widthFactor);
        MlpConfig.positive("base channels", baseChannels);
        MlpConfig.positive("image size", image);
        MlpConfig.positive("classes", classes);
        MlpConfig.positive("channels", channels);
        MlpConfig.positive("batch size", batch);
        if (depth < 5 || depth > MAX_DEPTH || (depth - 2) % 3 != 0) {
            throw new UserInputException("Wide-ResNet depth must be 3·blocks + 2 between 5 and " + MAX_DEPTH
                    + " (e.g. 50, 101, or 11 for a small one), got " + depth);
        }
        if (image < 4) {
            throw new UserInputException("Wide-ResNet image size must be at least 4 (the stem halves it twice), got " + image);
        }
        if (classes < 2) {
            throw new UserInputException("Wide-ResNet needs at least 2 classes, got " + classes);
        }
    }

    /** Alpa's configuration (RGB images). */
    public static WideResNetConfig of(int depth, int widthFactor, int baseChannels, int image, int classes, int batch) {
        return new WideResNetConfig(depth, widthFactor, baseChannels, image, classes, 3, batch);
    }

    /** Blocks per stage: ResNet's for 50, 101, 152 and 200; else (depth − 2)/3 spread evenly, earlier stages first. */
    public List<Integer> stageSizes() {
        return switch (depth) {
            case 50 -> List.of(3, 4, 6, 3);
            case 101 -> List.of(3, 4, 23, 3);
            case 152 -> List.of(3, 8, 36, 3);
            case 200 -> List.of(3, 24, 36, 3);
            default -> {
                int blocks = (depth - 2) / 3;
                int stages = Math.min(4, blocks);
                List<Integer> s = new ArrayList<>(Collections.nCopies(stages, blocks / stages));
                for (int i = 0; i < blocks % stages; i++) {
                    s.set(i, s.get(i) + 1);
                }
                yield List.copyOf(s);
            }
        };
    }

    /** Bottleneck blocks in all. */
    public int blocks() {
        return stageSizes().stream().mapToInt(Integer::intValue).sum();
    }

    /** Trainable parameters: convolution weights (no biases), batch norms' scale and shift, the head's weight and bias. */
    public long parameters() {
        long p = 49L * channels * baseChannels + 2L * baseChannels;
        int in = baseChannels;
        List<Integer> stages = stageSizes();
        for (int s = 0; s < stages.size(); s++) {
            long f = (long) baseChannels << s;
            for (int j = 0; j < stages.get(s); j++) {
                long mid = f * widthFactor;
                p += in * f + 2 * f;                    // 1x1
                p += 9 * f * mid + 2 * mid;              // 3x3
                p += mid * 4 * f + 2 * 4 * f;            // 1x1 to 4f
                if (in != 4 * f || (s > 0 && j == 0)) {
                    p += in * 4 * f + 2 * 4 * f;         // projection of the residual
                }
                in = (int) (4 * f);
            }
        }
        return p + (long) in * classes + classes;
    }
}
