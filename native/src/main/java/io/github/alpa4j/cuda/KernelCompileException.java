package io.github.alpa4j.cuda;

/** NVRTC rejected a kernel source; the message carries its log (a bug in the source, not the user's doing). */
public final class KernelCompileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String log;

    public KernelCompileException(String sourceName, String arch, String log) {
        super("NVRTC could not compile " + sourceName + " for " + arch + ":\n" + log);
        this.log = log;
    }

    public String log() {
        return log;
    }
}
