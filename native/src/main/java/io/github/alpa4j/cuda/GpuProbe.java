package io.github.alpa4j.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.global.nvml;
import org.bytedeco.cuda.global.nvrtc;

/**
 * Builds a {@link GpuReport}: loads each JavaCPP preset in turn (cudart first, which every other
 * one inherits), records what failed and why, then asks the runtime for its devices. Every step
 * catches what a missing or broken installation throws, so probing never throws.
 */
final class GpuProbe {
    private static final Pattern MISSING_SO =
            Pattern.compile("([A-Za-z0-9_.+-]+\\.so(?:\\.[0-9]+)*): cannot open shared object file");
    private static final Pattern MODULE_VERSION = Pattern.compile("Kernel Module.*?\\s(\\d+\\.\\d+(?:\\.\\d+)?)\\s");

    private GpuProbe() {
    }

    static GpuReport run(LibrarySearch search, Path procDriverVersion) {
        Map<CudaLibrary, LibraryStatus> libs = new EnumMap<>(CudaLibrary.class);
        for (CudaLibrary lib : CudaLibrary.values()) {
            libs.put(lib, libraryStatus(lib, search, libs.get(CudaLibrary.CUDART)));
        }
        boolean cudart = libs.get(CudaLibrary.CUDART).loaded();
        List<GpuDevice> devices = new ArrayList<>();
        Optional<GpuReport.Problem> problem = cudart ? scanDevices(devices) : Optional.empty();
        Optional<String> version = readModuleVersion(procDriverVersion);
        if (version.isEmpty() && libs.get(CudaLibrary.NVML).loaded()) {
            version = nvmlDriverVersion();
        }
        Optional<String> cudaVersion = cudart ? driverCudaVersion() : Optional.empty();
        return new GpuReport(driverStatus(search, cudart, version, cudaVersion), List.copyOf(libs.values()), devices, problem);
    }

    private static DriverStatus driverStatus(LibrarySearch search, boolean cudartLoaded, Optional<String> version,
                                             Optional<String> cudaVersion) {
        LibrarySearch.Found f = search.find(NativeFile.LIBCUDA.soname());
        if (f.present() || cudartLoaded) {
            String where = f.onLoaderPath().map(p -> "libcuda.so.1 at " + p.getParent()).orElse("libcuda.so.1 loaded");
            return new DriverStatus(true, version, cudaVersion, where, List.of());
        }
        return new DriverStatus(false, version, cudaVersion, missingText(NativeFile.LIBCUDA, f), List.of(fix(NativeFile.LIBCUDA, f)));
    }

    private static LibraryStatus libraryStatus(CudaLibrary lib, LibrarySearch search, LibraryStatus cudart) {
        Optional<String> failure = load(lib);
        if (failure.isEmpty()) {
            Optional<GpuReport.Problem> unusable = lib == CudaLibrary.NVML ? nvmlInitProblem() : Optional.empty();
            return unusable.map(p -> new LibraryStatus(lib, false, "the library loaded, but " + p.what(), List.of(p.fix())))
                    .orElseGet(() -> new LibraryStatus(lib, true, version(lib), List.of()));
        }
        Set<NativeFile> missing = new LinkedHashSet<>();
        for (NativeFile nf : lib.files()) {
            if (!search.find(nf.soname()).present()) {
                missing.add(nf);
            }
        }
        Optional<String> named = missingSoname(failure.get());
        named.flatMap(NativeFile::bySoname).ifPresent(missing::add);
        List<String> fixes = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (NativeFile nf : missing) {
            LibrarySearch.Found f = search.find(nf.soname());
            parts.add(missingText(nf, f));
            fixes.add(fix(nf, f));
        }
        String detail;
        if (lib != CudaLibrary.CUDART && cudart != null && !cudart.loaded()) {
            detail = "needs cudart, which did not load" + (parts.isEmpty() ? "" : "; " + String.join("; ", parts));
        } else if (!parts.isEmpty()) {
            detail = String.join("; ", parts);
        } else {
            detail = named.map(s -> s + " missing").orElse(failure.get());
        }
        return new LibraryStatus(lib, false, detail, fixes);
    }

    private static String missingText(NativeFile nf, LibrarySearch.Found f) {
        return nf.soname() + f.elsewhere().map(p -> " found at " + p.getParent() + " but not on the loader path")
                .orElse(" not found (" + nf.providedBy() + ")");
    }

    private static String fix(NativeFile nf, LibrarySearch.Found f) {
        return f.elsewhere().map(p -> "export LD_LIBRARY_PATH=" + p.getParent() + ":$LD_LIBRARY_PATH (it holds " + nf.soname() + ")")
                .orElse(nf.install());
    }

    /** Loads the preset's JNI wrapper; empty on success, else the loader's message. */
    private static Optional<String> load(CudaLibrary lib) {
        try {
            Loader.load(Class.forName(lib.presetClass(), false, GpuProbe.class.getClassLoader()));
            return Optional.empty();
        } catch (LinkageError | Exception e) {
            return Optional.of(messages(e));
        }
    }

    /** The messages of a throwable and its causes, outermost first. */
    static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (!sb.isEmpty()) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return sb.toString();
    }

    /** The shared object a loader error names as missing, e.g. {@code libcuda.so.1}. */
    static Optional<String> missingSoname(String loaderMessage) {
        Matcher m = MISSING_SO.matcher(loaderMessage);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The driver version in a /proc/driver/nvidia/version text. */
    static Optional<String> moduleVersion(String procText) {
        Matcher m = MODULE_VERSION.matcher(procText);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<String> readModuleVersion(Path proc) {
        try {
            return Files.isReadable(proc) ? moduleVersion(Files.readString(proc)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String version(CudaLibrary lib) {
        try {
            int[] v = new int[1];
            int[] w = new int[1];
            return switch (lib) {
                case CUDART -> cudart.cudaRuntimeGetVersion(v) == 0 ? "runtime " + cudaVersion(v[0]) : "loaded";
                case CUBLAS -> cublas.cublasGetVersion(v) == 0
                        ? "cuBLAS " + v[0] / 10000 + "." + v[0] / 100 % 100 + "." + v[0] % 100 : "loaded";
                case NVRTC -> nvrtc.nvrtcVersion(v, w) == 0 ? "NVRTC " + v[0] + "." + w[0] : "loaded";
                case NCCL -> nccl.ncclGetVersion(v) == 0
                        ? "NCCL " + v[0] / 10000 + "." + v[0] / 100 % 100 + "." + v[0] % 100 : "loaded";
                case NVML -> "loaded";
            };
        } catch (LinkageError | RuntimeException e) {
            return "loaded (version unknown: " + e.getMessage() + ")";
        }
    }

    /** 13010 → "13.1" (the encoding cudaDriverGetVersion and cudaRuntimeGetVersion use). */
    static String cudaVersion(int encoded) {
        return encoded / 1000 + "." + encoded % 1000 / 10;
    }

    private static Optional<String> driverCudaVersion() {
        try {
            int[] v = new int[1];
            return cudart.cudaDriverGetVersion(v) == 0 && v[0] > 0 ? Optional.of(cudaVersion(v[0])) : Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Why NVML loaded but cannot start a session (no permission, no kernel driver), if it cannot. */
    private static Optional<GpuReport.Problem> nvmlInitProblem() {
        try {
            int status = nvml.nvmlInit_v2();
            if (status != nvml.NVML_SUCCESS) {
                return Optional.of(Nvml.initProblem(status));
            }
            nvml.nvmlShutdown();
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of(new GpuReport.Problem("nvmlInit failed: " + messages(e), "reinstall the NVIDIA driver (580 or newer)"));
        }
    }

    private static Optional<String> nvmlDriverVersion() {
        try {
            if (nvml.nvmlInit_v2() != 0) {
                return Optional.empty();
            }
            try (BytePointer buf = new BytePointer(nvml.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE)) {
                return nvml.nvmlSystemGetDriverVersion(buf, nvml.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE) == 0
                        ? Optional.of(buf.getString()) : Optional.empty();
            } finally {
                nvml.nvmlShutdown();
            }
        } catch (LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<GpuReport.Problem> scanDevices(List<GpuDevice> out) {
        try {
            int[] count = new int[1];
            int rc = cudart.cudaGetDeviceCount(count);
            if (rc != 0) {
                cudart.cudaGetLastError();
                return Optional.of(new GpuReport.Problem("cudaGetDeviceCount failed with " + Check.cudartName(rc)
                        + " (" + Check.cudartText(rc) + ")", deviceFix(rc)));
            }
            if (count[0] == 0) {
                return Optional.of(new GpuReport.Problem("the CUDA runtime sees no device", deviceFix(cudart.cudaErrorNoDevice)));
            }
            for (int i = 0; i < count[0]; i++) {
                try (cudaDeviceProp p = new cudaDeviceProp()) {
                    int r = cudart.cudaGetDeviceProperties(p, i);
                    if (r != 0) {
                        return Optional.of(new GpuReport.Problem("cudaGetDeviceProperties(" + i + ") failed with "
                                + Check.cudartName(r), deviceFix(r)));
                    }
                    out.add(new GpuDevice(i, p.name().getString(), p.major(), p.minor(), p.totalGlobalMem(), p.multiProcessorCount()));
                }
            }
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of(new GpuReport.Problem("listing devices failed: " + messages(e),
                    "check nvidia-smi and the kernel log (dmesg) for the driver's state"));
        }
    }

    private static String deviceFix(int rc) {
        if (rc == cudart.cudaErrorInsufficientDriver) {
            return "update the NVIDIA driver to 580 or newer (the CUDA 13 runtime needs it)";
        }
        if (rc == cudart.cudaErrorNoDevice) {
            return "no NVIDIA GPU is visible: check nvidia-smi and CUDA_VISIBLE_DEVICES; in a container, start it with --gpus all";
        }
        return "check nvidia-smi and the kernel log (dmesg) for the driver's state";
    }
}
