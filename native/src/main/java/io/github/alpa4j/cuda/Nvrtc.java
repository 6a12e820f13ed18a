package io.github.alpa4j.cuda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.cuda.global.nvrtc;

/**
 * NVRTC, the run-time CUDA C compiler. Compiles to a cubin for the device's own architecture
 * when NVRTC knows it, else to PTX for the newest architecture it knows (the driver finishes the
 * job when it loads the module).
 */
public final class Nvrtc {
    private Nvrtc() {
    }

    /** e.g. {@code 13.1}. */
    public static String version() {
        Gpu.require(CudaLibrary.NVRTC);
        int[] major = new int[1];
        int[] minor = new int[1];
        Check.nvrtc(nvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
        return major[0] + "." + minor[0];
    }

    /** The SM versions NVRTC can emit cubins for, e.g. [75, 80, 86, 89, 90, 100, 120]. */
    public static List<Integer> supportedArchs() {
        Gpu.require(CudaLibrary.NVRTC);
        int[] n = new int[1];
        Check.nvrtc(nvrtc.nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs");
        int[] archs = new int[n[0]];
        Check.nvrtc(nvrtc.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
        List<Integer> out = new ArrayList<>();
        for (int a : archs) {
            out.add(a);
        }
        return out;
    }

    /**
     * What NVRTC's {@code --gpu-architecture} should be for a device of {@code arch} ("sm_90"), given
     * the SM versions it supports: the arch itself, else PTX for the newest older one, else none.
     */
    static java.util.Optional<String> target(String arch, List<Integer> supported) {
        if (!arch.matches("sm_[0-9]+")) {
            throw new IllegalArgumentException("not an architecture name: " + arch);
        }
        int sm = Integer.parseInt(arch.substring("sm_".length()));
        if (supported.contains(sm)) {
            return java.util.Optional.of(arch);
        }
        int best = -1;
        for (int s : supported) {
            if (s <= sm && s > best) {
                best = s;
            }
        }
        return best < 0 ? java.util.Optional.empty() : java.util.Optional.of("compute_" + best);
    }

    /**
     * Compiles {@code source} for a device of architecture {@code arch} (e.g. {@code sm_90}) and
     * returns the image for {@link CudaModule#load}: a cubin, or NUL-terminated PTX.
     *
     * @throws KernelCompileException when the source does not compile
     */
    public static byte[] compile(KernelSource source, String arch, List<String> options) {
        Gpu.require(CudaLibrary.NVRTC);
        List<Integer> supported = supportedArchs();
        String target = target(arch, supported).orElseThrow(() -> new CudaUnavailableException("NVRTC " + version()
                + " cannot compile for " + arch + " (it knows " + supported + "); install the NVRTC that matches the driver"));
        List<String> opts = new ArrayList<>();
        opts.add("--gpu-architecture=" + target);
        opts.addAll(options);
        List<String> names = new ArrayList<>(source.headers().keySet());
        List<String> texts = new ArrayList<>(source.headers().values());
        _nvrtcProgram prog = new _nvrtcProgram();
        try (BytePointer code = new BytePointer(source.code(), StandardCharsets.UTF_8);
             BytePointer name = new BytePointer(source.name(), StandardCharsets.UTF_8);
             PointerPointer<?> headerTexts = new PointerPointer<>(texts.toArray(String[]::new));
             PointerPointer<?> headerNames = new PointerPointer<>(names.toArray(String[]::new));
             PointerPointer<?> optionPtrs = new PointerPointer<>(opts.toArray(String[]::new))) {
            Check.nvrtc(nvrtc.nvrtcCreateProgram(prog, code, name, names.size(),
                    names.isEmpty() ? null : headerTexts, names.isEmpty() ? null : headerNames), "nvrtcCreateProgram(" + source.name() + ")");
            try {
                int rc = nvrtc.nvrtcCompileProgram(prog, opts.size(), optionPtrs);
                if (rc == nvrtc.NVRTC_ERROR_COMPILATION) {
                    throw new KernelCompileException(source.name(), target, log(prog));
                }
                Check.nvrtc(rc, "nvrtcCompileProgram(" + source.name() + ")");
                return target.startsWith("sm_") ? cubin(prog) : ptx(prog);
            } finally {
                nvrtc.nvrtcDestroyProgram(prog);
            }
        }
    }

    private static String log(_nvrtcProgram prog) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            Check.nvrtc(nvrtc.nvrtcGetProgramLogSize(prog, size), "nvrtcGetProgramLogSize");
            try (BytePointer log = new BytePointer(size.get())) {
                Check.nvrtc(nvrtc.nvrtcGetProgramLog(prog, log), "nvrtcGetProgramLog");
                return log.getString(StandardCharsets.UTF_8);
            }
        }
    }

    private static byte[] cubin(_nvrtcProgram prog) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            Check.nvrtc(nvrtc.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize");
            byte[] out = new byte[Math.toIntExact(size.get())];
            Check.nvrtc(nvrtc.nvrtcGetCUBIN(prog, out), "nvrtcGetCUBIN");
            return out;
        }
    }

    /** PTX including its terminating NUL, which the driver needs. */
    private static byte[] ptx(_nvrtcProgram prog) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            Check.nvrtc(nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize");
            byte[] out = new byte[Math.toIntExact(size.get())];
            Check.nvrtc(nvrtc.nvrtcGetPTX(prog, out), "nvrtcGetPTX");
            return out;
        }
    }

    /** The toolchain part of a cache key: NVRTC's and the driver's versions. */
    public static String toolchain() {
        return "nvrtc " + version() + ", driver CUDA " + CudaDevice.driverVersion();
    }
}
