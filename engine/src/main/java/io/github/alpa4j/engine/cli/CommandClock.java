package io.github.alpa4j.engine.cli;

import io.github.alpa4j.planner.stage.PhaseTime;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The wall clock of one command from the moment the user started it, and the phases the command runs
 * itself (starting, building the graph, autodiff), so that the times it prints add up to the wait. The
 * start is the mark ./alpa4j takes before it starts the JVM ({@code -Dalpa4j.launched}, Unix seconds);
 * without the launcher, the JVM's start; in process (tests), the call.
 */
final class CommandClock {
    /** The launcher, the JVM's start, class loading and reading the command line. */
    static final String START = "start";
    /** Building the model's forward graph (or reading --graph). */
    static final String GRAPH = "graph";
    /** The backward pass, the optimizer update and dead-code elimination. */
    static final String AUTODIFF = "autodiff";

    private final long startNanos;
    private final Map<String, Double> phases = new LinkedHashMap<>();

    private CommandClock(long startNanos) {
        this.startNanos = startNanos;
    }

    /** A clock started when the user launched this process. */
    static CommandClock sinceLaunch() {
        long nowNanos = System.nanoTime();
        double nowSeconds = System.currentTimeMillis() / 1e3;
        String mark = System.getProperty("alpa4j.launched");
        double launched;
        try {
            launched = mark != null ? Double.parseDouble(mark) : ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3;
        } catch (NumberFormatException e) {
            launched = ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3;
        }
        // a mark later than now (a bad value) counts as now
        return new CommandClock(nowNanos - (long) (Math.max(0, nowSeconds - launched) * 1e9));
    }

    /** A clock started now. */
    static CommandClock startingNow() {
        return new CommandClock(System.nanoTime());
    }

    /** Records everything until now as {@link #START}; once, when the command begins its work. */
    void started() {
        phases.putIfAbsent(START, elapsed());
    }

    /** Runs {@code work} and adds its wall time to {@code phase}. */
    <T> T time(String phase, Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            phases.merge(phase, (System.nanoTime() - t0) / 1e9, Double::sum);
        }
    }

    /** The phases recorded, in the order they first ran. */
    List<PhaseTime> phases() {
        List<PhaseTime> out = new ArrayList<>();
        phases.forEach((name, s) -> out.add(new PhaseTime(name, s)));
        return out;
    }

    /** Seconds since the start. */
    double elapsed() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
