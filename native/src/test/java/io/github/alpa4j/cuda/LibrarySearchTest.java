package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibrarySearchTest {

    @Test
    void finds_files_on_the_loader_path_first_then_elsewhere(@TempDir Path root) throws IOException {
        Path a = Files.createDirectories(root.resolve("a"));
        Path b = Files.createDirectories(root.resolve("b"));
        Path cuda = Files.createDirectories(root.resolve("cuda/lib64"));
        Files.writeString(b.resolve("libcublas.so.13"), "");
        Files.writeString(cuda.resolve("libcublas.so.13"), "");
        Files.writeString(cuda.resolve("libnvrtc.so.13"), "");
        LibrarySearch s = new LibrarySearch(List.of(a, b), List.of(cuda));
        LibrarySearch.Found cublas = s.find("libcublas.so.13");
        assertThat(cublas.present()).isTrue();
        assertThat(cublas.onLoaderPath()).contains(b.resolve("libcublas.so.13"));
        LibrarySearch.Found nvrtc = s.find("libnvrtc.so.13");
        assertThat(nvrtc.present()).isFalse();
        assertThat(nvrtc.elsewhere()).contains(cuda.resolve("libnvrtc.so.13"));
        assertThat(s.find("libcuda.so.1").present()).isFalse();
        assertThat(s.find("libcuda.so.1").elsewhere()).isEmpty();
    }

    @Test
    void reads_ld_so_conf_with_includes_and_comments(@TempDir Path root) throws IOException {
        Path d = Files.createDirectories(root.resolve("ld.so.conf.d"));
        Files.writeString(d.resolve("cuda.conf"), "# CUDA\n/usr/local/cuda-13.0/lib\n");
        Files.writeString(d.resolve("libc.conf"), "/usr/local/lib   # local\n\n");
        Files.writeString(d.resolve("ignored.txt"), "/nowhere\n");
        Path conf = root.resolve("ld.so.conf");
        Files.writeString(conf, "include " + d + "/*.conf\n/opt/lib\n");
        assertThat(LibrarySearch.ldSoConfDirs(conf))
                .containsExactly(Path.of("/usr/local/cuda-13.0/lib"), Path.of("/usr/local/lib"), Path.of("/opt/lib"));
    }

    @Test
    void a_missing_conf_lists_nothing(@TempDir Path root) {
        assertThat(LibrarySearch.ldSoConfDirs(root.resolve("absent.conf"))).isEmpty();
    }
}
