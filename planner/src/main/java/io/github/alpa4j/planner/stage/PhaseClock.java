package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times the phases of planning by the wall clock and passes them on to a progress display. A phase that
 * runs again (once per microbatch count) adds to its time; phases keep the order they first ran in.
 */
final class PhaseClock implements PlanningProgress {
    private final PlanningProgress display;
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private String phase;
    private long began;

    PhaseClock(PlanningProgress display) {
        this.display = display;
    }

    @Override
    public void begin(String name, int units) {
        if (phase != null) {
            end();
        }
        phase = name;
        began = System.nanoTime();
        display.begin(name, units);
    }

    @Override
    public void step() {
        display.step();
    }

    @Override
    public void end() {
        if (phase == null) {
            return;
        }
        seconds.merge(phase, (System.nanoTime() - began) / 1e9, Double::sum);
        phase = null;
        display.end();
    }

    List<PhaseTime> phases() {
        List<PhaseTime> out = new ArrayList<>();
        seconds.forEach((name, s) -> out.add(new PhaseTime(name, s)));
        return out;
    }

    /** Seconds since the clock was made. */
    double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }
}
