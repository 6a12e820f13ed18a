package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCacheTest {
    static final KernelSource SRC = new KernelSource("softmax", "extern \"C\" __global__ void k() {}",
            Map.of("common.cuh", "#pragma once\n"));
    static final List<String> OPTS = List.of("--std=c++17", "--fmad=false");

    /** A compiler that counts its calls and returns a fake cubin naming what it compiled. */
    static final class CountingCompiler implements KernelCache.Compiler {
        final List<String> calls = new ArrayList<>();

        @Override
        public byte[] compile(KernelSource source, String arch, List<String> options) {
            calls.add(source.name() + "/" + arch);
            byte[] name = (source.name() + arch).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] out = new byte[4 + name.length];
            out[0] = 0x7f;
            out[1] = 'E';
            out[2] = 'L';
            out[3] = 'F';
            System.arraycopy(name, 0, out, 4, name.length);
            return out;
        }
    }

    @Test
    void the_key_changes_with_every_input() {
        String base = KernelCache.key(SRC, "sm_90", OPTS, "nvrtc 13.1, driver CUDA 13000");
        Set<String> keys = new HashSet<>(List.of(base,
                KernelCache.key(new KernelSource("softmax", SRC.code() + " ", SRC.headers()), "sm_90", OPTS, "nvrtc 13.1, driver CUDA 13000"),
                KernelCache.key(new KernelSource("softmax", SRC.code(), Map.of("common.cuh", "#pragma once\n//")), "sm_90", OPTS,
                        "nvrtc 13.1, driver CUDA 13000"),
                KernelCache.key(new KernelSource("softmax2", SRC.code(), SRC.headers()), "sm_90", OPTS, "nvrtc 13.1, driver CUDA 13000"),
                KernelCache.key(SRC, "sm_80", OPTS, "nvrtc 13.1, driver CUDA 13000"),
                KernelCache.key(SRC, "sm_90", List.of("--std=c++17"), "nvrtc 13.1, driver CUDA 13000"),
                KernelCache.key(SRC, "sm_90", List.of("--std=c++17", "--fmad=true"), "nvrtc 13.1, driver CUDA 13000"),
                KernelCache.key(SRC, "sm_90", OPTS, "nvrtc 13.1, driver CUDA 13010")));
        assertThat(keys).hasSize(8);
        assertThat(base).hasSize(64).matches("[0-9a-f]+");
        assertThat(KernelCache.key(SRC, "sm_90", OPTS, "nvrtc 13.1, driver CUDA 13000")).as("deterministic").isEqualTo(base);
    }

    @Test
    void fields_do_not_run_into_each_other() {
        // "ab"+"c" and "a"+"bc" must differ: fields are length-prefixed
        assertThat(KernelCache.key(SRC, "sm_9", List.of("0x"), "t")).isNotEqualTo(KernelCache.key(SRC, "sm_90", List.of("x"), "t"));
    }

    @Test
    void compiles_once_then_reads_the_file(@TempDir Path dir) throws IOException {
        KernelCache cache = new KernelCache(dir.resolve("kernels"));
        CountingCompiler c = new CountingCompiler();
        byte[] first = cache.load(SRC, "sm_90", OPTS, "t1", c);
        byte[] second = cache.load(SRC, "sm_90", OPTS, "t1", c);
        assertThat(second).isEqualTo(first);
        assertThat(c.calls).containsExactly("softmax/sm_90");
        cache.load(SRC, "sm_90", OPTS, "t2", c);
        assertThat(c.calls).as("a new toolchain compiles again").hasSize(2);
        try (var files = Files.list(dir.resolve("kernels"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .hasSize(2).allMatch(n -> n.startsWith("softmax-sm_90-") && n.endsWith(".bin"));
        }
        // a second cache object over the same folder (a later run) finds the files
        new KernelCache(dir.resolve("kernels")).load(SRC, "sm_90", OPTS, "t1", c);
        assertThat(c.calls).hasSize(2);
    }

    @Test
    void a_damaged_file_is_compiled_again(@TempDir Path dir) throws IOException {
        KernelCache cache = new KernelCache(dir);
        CountingCompiler c = new CountingCompiler();
        byte[] good = cache.load(SRC, "sm_90", OPTS, "t", c);
        Path file = cache.fileFor(SRC, "sm_90", KernelCache.key(SRC, "sm_90", OPTS, "t"));
        Files.write(file, new byte[] {1, 2, 3});
        assertThat(cache.load(SRC, "sm_90", OPTS, "t", c)).isEqualTo(good);
        assertThat(c.calls).hasSize(2);
        assertThat(Files.readAllBytes(file)).isEqualTo(good);
    }

    @Test
    void an_unwritable_folder_still_returns_the_image(@TempDir Path dir) throws IOException {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        CountingCompiler c = new CountingCompiler();
        assertThat(new KernelCache(notADir.resolve("kernels")).load(SRC, "sm_90", OPTS, "t", c)).startsWith(0x7f, 'E', 'L', 'F');
    }

    @Test
    void ptx_must_end_with_nul_and_cubins_start_with_elf() {
        assertThat(KernelCache.looksWhole(new byte[] {0x7f, 'E', 'L', 'F', 1})).isTrue();
        assertThat(KernelCache.looksWhole(".version 9.0\n\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isTrue();
        assertThat(KernelCache.looksWhole(".version 9.0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isFalse();
        assertThat(KernelCache.looksWhole(new byte[0])).isFalse();
    }

    @Test
    void the_folder_is_alpa4j_cache_or_under_home() {
        assertThat(KernelCache.defaultDir(Map.of("ALPA4J_CACHE", "/scratch/k"), "/home/u")).isEqualTo(Path.of("/scratch/k"));
        assertThat(KernelCache.defaultDir(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.cache/alpa4j/kernels"));
        assertThat(KernelCache.defaultDir(Map.of("ALPA4J_CACHE", " "), "/home/u")).isEqualTo(Path.of("/home/u/.cache/alpa4j/kernels"));
    }
}
