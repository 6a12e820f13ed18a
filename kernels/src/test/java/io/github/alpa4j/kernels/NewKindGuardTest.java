package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adds a kind to the IR's enums and compiles the planner's and the kernels' sources with it: the
 * build must stop at every place the kind needs code (the CPU kernel, the CUDA kernel's name, the
 * gradient, the float64 reference), and nowhere else. The JSON tag needs none: it is the
 * constant's name. So a new kind cannot run with an output left unwritten or another kind's kernel.
 */
class NewKindGuardTest {
    private static final String EXHAUSTIVE = "compiler.err.not.exhaustive";

    @TempDir
    Path out;

    @Test
    void aNewActivationStopsTheBuildWhereItNeedsAKernelAGradientOrAReference() {
        Set<String> stops = compileWith(Pattern.compile("(enum Activation \\{[^;]*?)(;)"), "$1, SILU(4)$2");
        assertThat(stops).contains("CpuElementwise.java", "CudaKernels.java", "ReferenceEvaluator.java");
    }

    @Test
    void aNewBinaryKindStopsTheBuildWhereItNeedsAKernelAGradientOrAReference() {
        Set<String> stops = compileWith(Pattern.compile("(enum BinaryKind \\{[^}]*?)(\\s*})"), "$1, MAX$2");
        assertThat(stops).contains("CpuElementwise.java", "CudaKernels.java", "ElementwiseGradients.java", "ReferenceEvaluator.java");
    }

    /**
     * Compiles the planner's and the kernels' main sources with ElementwiseOp.java edited by
     * {@code enumDecl → replacement}; returns the files where the build stopped. Every error must
     * be a switch that no longer covers its enum.
     */
    private Set<String> compileWith(Pattern enumDecl, String replacement) {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path planner = base.resolveSibling("planner").resolve("src/main/java");
        Path kernels = base.resolve("src/main/java");
        Path elementwise = planner.resolve("io/github/alpa4j/ir/ElementwiseOp.java");
        String source = read(elementwise);
        Matcher m = enumDecl.matcher(source);
        assertThat(m.find()).as("%s declares %s", elementwise, enumDecl).isTrue();
        String edited = m.replaceFirst(replacement);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            List<JavaFileObject> units = new ArrayList<>();
            for (Path p : sources(planner, kernels)) {
                units.add(p.equals(elementwise) ? new Edited(p, edited) : files.getJavaFileObjects(p).iterator().next());
            }
            // javac stops before flow analysis of the other files once one has an error; let it check them all
            List<String> options = List.of("-proc:none", "-implicit:none", "-nowarn", "-XDshould-stop.ifError=FLOW", "-d", out.toString(),
                    "-classpath", System.getProperty("java.class.path"));
            boolean compiled = javac.getTask(null, files, diagnostics, options, null, units).call();
            assertThat(compiled).as("the sources compiled with the new kind").isFalse();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> stops = new TreeSet<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                assertThat(d.getCode()).as("%s", d).isEqualTo(EXHAUSTIVE);
                stops.add(Path.of(d.getSource().toUri().getPath()).getFileName().toString());
            }
        }
        return stops;
    }

    private static List<Path> sources(Path... roots) {
        List<Path> all = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java")).forEach(all::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A source file with edited text, at the original's path (so diagnostics name it). */
    private static final class Edited extends SimpleJavaFileObject {
        private final String text;

        Edited(Path path, String text) {
            super(URI.create("file://" + path.toAbsolutePath()), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
