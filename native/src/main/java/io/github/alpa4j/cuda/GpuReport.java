package io.github.alpa4j.cuda;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link Gpu#probe()} found: the driver, each CUDA library, the devices. {@link #render()}
 * is the text of {@code alpa4j doctor}.
 */
public record GpuReport(DriverStatus driver, List<LibraryStatus> libraries, List<GpuDevice> devices,
                        Optional<Problem> deviceProblem) {

    /** Why no device was listed, and what to do about it. */
    public record Problem(String what, String fix) {
    }

    public GpuReport {
        libraries = List.copyOf(libraries);
        devices = List.copyOf(devices);
    }

    /** True when the CUDA runtime loaded and sees at least one device. */
    public boolean available() {
        return library(CudaLibrary.CUDART).loaded() && !devices.isEmpty();
    }

    /** True when {@code lib} loaded. */
    public boolean has(CudaLibrary lib) {
        return library(lib).loaded();
    }

    public LibraryStatus library(CudaLibrary lib) {
        for (LibraryStatus s : libraries) {
            if (s.library() == lib) {
                return s;
            }
        }
        throw new IllegalStateException("the report has no entry for " + lib.label());
    }

    /** One line: the devices, or why there are none. */
    public String summary() {
        if (!available()) {
            return unavailableReason();
        }
        return devices.size() + (devices.size() == 1 ? " GPU: " : " GPUs: ")
                + devices.stream().map(d -> d.name() + " (" + d.arch() + ")").collect(Collectors.joining(", "));
    }

    /** One line saying why there is no usable GPU ({@code ""} when there is one). */
    public String unavailableReason() {
        if (available()) {
            return "";
        }
        String why;
        if (!driver.present()) {
            why = "no GPU: " + driver.detail();
        } else if (!library(CudaLibrary.CUDART).loaded()) {
            why = "no GPU: the CUDA runtime did not load (" + library(CudaLibrary.CUDART).detail() + ")";
        } else {
            why = "no GPU: " + deviceProblem.map(Problem::what).orElse("the CUDA runtime lists no device");
        }
        return why + "; run ./alpa4j doctor for what to install";
    }

    /** The doctor's report: one line per component, then the distinct fixes, then a verdict. */
    public String render() {
        StringBuilder sb = new StringBuilder("alpa4j doctor: CUDA on this machine\n");
        line(sb, "driver", driver.present() ? driverText() : "missing: " + driver.detail());
        if (devices.isEmpty()) {
            line(sb, "GPUs", "none: " + deviceProblem.map(Problem::what).orElse("the CUDA runtime did not load"));
        } else {
            line(sb, "GPUs", String.valueOf(devices.size()));
            for (GpuDevice d : devices) {
                line(sb, "", d.toString());
            }
        }
        for (LibraryStatus s : libraries) {
            line(sb, s.library().label(), s.loaded() ? s.detail() : "not loaded: " + s.detail());
        }
        Set<String> fixes = new LinkedHashSet<>(driver.fixes());
        deviceProblem.map(Problem::fix).filter(f -> !f.isBlank()).ifPresent(fixes::add);
        libraries.forEach(s -> fixes.addAll(s.fixes()));
        if (!fixes.isEmpty()) {
            sb.append("to fix:\n");
            int i = 1;
            for (String f : fixes) {
                sb.append("  ").append(i++).append(". ").append(f).append('\n');
            }
        }
        sb.append("verdict: ").append(verdict()).append('\n');
        return sb.toString();
    }

    private String driverText() {
        String v = driver.version().orElse("version unknown");
        return v + driver.cudaVersion().map(c -> " (supports CUDA " + c + ")").orElse("") + ", " + driver.detail();
    }

    private String verdict() {
        if (!available()) {
            return unavailableReason().replace("; run ./alpa4j doctor for what to install", "")
                    + "; GPU tests skip themselves and training runs on the CPU's simulated mesh";
        }
        List<String> missing = libraries.stream().filter(s -> !s.loaded()).map(s -> s.library().label()).toList();
        return missing.isEmpty() ? "ready: " + summary() + ", every CUDA library loaded"
                : "GPU usable (" + summary() + "), but not loaded: " + String.join(", ", missing);
    }

    private static void line(StringBuilder sb, String label, String text) {
        sb.append("  ").append(String.format("%-8s", label)).append(' ').append(text).append('\n');
    }
}
