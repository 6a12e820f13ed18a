package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.KernelSource;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What can be checked of the CUDA sources without a compiler: names, portability to NVRTC, constants shared with Java. */
class CudaSourcesTest {
    private static final Pattern ENTRY = Pattern.compile("extern \"C\" __global__ void(?: __launch_bounds__\\([A-Z0-9_]+\\))?\\s+(\\w+)\\(");

    @ParameterizedTest
    @EnumSource(KernelFamily.class)
    void each_family_defines_exactly_the_kernels_java_launches(KernelFamily f) {
        KernelSource s = CudaSources.source(f);
        Matcher m = ENTRY.matcher(s.code());
        List<String> found = new java.util.ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(f.kernels());
        assertThat(s.headers()).containsOnlyKeys(CudaSources.HEADER);
    }

    @ParameterizedTest
    @EnumSource(KernelFamily.class)
    void sources_need_nothing_nvrtc_lacks(KernelFamily f) {
        String code = CudaSources.source(f).code() + CudaSources.read(CudaSources.HEADER);
        assertThat(code.chars().allMatch(c -> c < 128)).as("ASCII only").isTrue();
        for (String line : code.split("\n")) {
            if (line.strip().startsWith("#include")) {
                assertThat(line.strip()).as("only the in-memory header").isEqualTo("#include \"common.cuh\"");
            }
        }
        // names that come from host headers nvcc includes implicitly but NVRTC does not provide
        assertThat(code).doesNotContainPattern("\\b(uint32_t|uint16_t|int64_t|size_t|INFINITY|NAN|FLT_MAX|std::|printf|assert)\\b");
    }

    @Test
    void gelu_constants_equal_the_cpu_twins() {
        String code = CudaSources.source(KernelFamily.ELEMENTWISE).code();
        assertThat(Float.parseFloat(define(code, "GELU_C"))).isEqualTo((float) Math.sqrt(2 / Math.PI));
        assertThat(Float.parseFloat(define(code, "GELU_K"))).isEqualTo(0.044715f);
    }

    @Test
    void header_constants_equal_the_launch_code() {
        String header = CudaSources.read(CudaSources.HEADER);
        assertThat(Integer.parseInt(define(header, "A4J_MAX_RANK"))).isEqualTo(StridedLayout.MAX_RANK).isEqualTo(ReduceLayout.MAX_RANK);
        assertThat(Integer.parseInt(define(header, "A4J_ELEMENTWISE_THREADS"))).isEqualTo(Launch.ELEMENTWISE_THREADS);
        assertThat(Integer.parseInt(define(header, "A4J_ROW_THREADS"))).isEqualTo(Launch.ROW_THREADS);
    }

    private static String define(String code, String name) {
        Matcher m = Pattern.compile("#define " + name + " (\\S+)").matcher(code);
        assertThat(m.find()).as("#define %s", name).isTrue();
        return m.group(1);
    }
}
