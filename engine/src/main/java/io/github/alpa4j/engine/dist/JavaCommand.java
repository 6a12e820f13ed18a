package io.github.alpa4j.engine.dist;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start the alpa4j CLI again in a fresh JVM: this JVM's java binary, its JVM flags (heap,
 * native access; debugger and agent flags left out, they would clash on a port or double the
 * agent), its class path and the CLI's main class. {@code alpa4j launch} starts its workers so,
 * from the shaded jar or from a test's class path alike.
 *
 * @param prefix everything before the CLI's own arguments
 */
public record JavaCommand(List<String> prefix) {
    static final String MAIN_CLASS = "io.github.alpa4j.engine.cli.Main";

    public JavaCommand {
        prefix = List.copyOf(prefix);
    }

    /** The command line that runs {@code mainClass} like this JVM runs. */
    public static JavaCommand current(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp") && !a.equals("-Xdebug")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return new JavaCommand(cmd);
    }

    /** The alpa4j CLI, started like this JVM. */
    public static JavaCommand cli() {
        return current(MAIN_CLASS);
    }

    /** The full command line with {@code args} after the prefix. */
    public List<String> with(List<String> args) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(args);
        return all;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
