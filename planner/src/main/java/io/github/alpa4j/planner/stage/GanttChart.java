package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.plan.Units;
import java.util.Arrays;
import java.util.Locale;

/**
 * A text Gantt chart of a pipeline timeline: a row per stage, time running right, each forward pass
 * drawn as {@code F<m>---} and each backward pass as {@code B<m>===} over the time it takes, idle time
 * as dots. The time per character is chosen so that the shortest pass still shows its label; a chart
 * wider than the limit shows its start and its end with the middle cut out.
 */
public final class GanttChart {
    private GanttChart() {
    }

    public static String render(PipelineTimeline timeline, int maxColumns) {
        double shortest = Double.POSITIVE_INFINITY;
        int label = 2;
        for (var row : timeline.stages()) {
            for (var slot : row) {
                if (slot.end() > slot.start()) {
                    shortest = Math.min(shortest, slot.end() - slot.start());
                }
                label = Math.max(label, slot.task().toString().length());
            }
        }
        if (shortest == Double.POSITIVE_INFINITY || timeline.makespan() <= 0) {
            return "(no computation to draw)\n";
        }
        double quantum = shortest / (label + 1);
        int columns = (int) Math.ceil(timeline.makespan() / quantum);
        boolean cut = columns > maxColumns;
        int half = maxColumns / 2;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "time per character: %s%s%n", Units.seconds(quantum),
                cut ? String.format(Locale.ROOT, "; %s to %s not shown", Units.seconds(half * quantum),
                        Units.seconds((columns - half) * quantum)) : ""));
        for (int s = 0; s < timeline.stages().size(); s++) {
            char[] row = new char[columns];
            Arrays.fill(row, '.');
            for (var slot : timeline.stages().get(s)) {
                int from = (int) Math.round(slot.start() / quantum);
                int to = Math.max(from + 1, (int) Math.round(slot.end() / quantum));
                String text = slot.task().toString();
                char fill = slot.task().pass() == PipelineSchedule.Pass.FORWARD ? '-' : '=';
                for (int c = from; c < Math.min(to, columns); c++) {
                    int k = c - from;
                    row[c] = k < text.length() && to - from > text.length() ? text.charAt(k) : fill;
                }
            }
            String line = new String(row);
            if (cut) {
                line = line.substring(0, half) + " ... " + line.substring(columns - half);
            }
            sb.append(String.format(Locale.ROOT, "stage %-3d |%s|%n", s, line));
        }
        return sb.toString();
    }
}
