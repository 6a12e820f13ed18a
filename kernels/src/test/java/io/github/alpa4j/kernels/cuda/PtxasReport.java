package io.github.alpa4j.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The per-kernel resource lines of {@code ptxas -v}: registers, stack frame, spills. */
record PtxasReport(List<Entry> entries) {

    record Entry(String kernel, int registers, long stackFrameBytes, long spillStoreBytes, long spillLoadBytes) {
    }

    private static final Pattern COMPILING = Pattern.compile("Compiling entry function '(\\w+)'");
    private static final Pattern FRAME = Pattern.compile("(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern REGISTERS = Pattern.compile("Used (\\d+) registers");

    static PtxasReport parse(String output) {
        List<Entry> out = new ArrayList<>();
        String kernel = null;
        long[] frame = null;
        for (String line : output.split("\n")) {
            Matcher c = COMPILING.matcher(line);
            if (c.find()) {
                kernel = c.group(1);
                frame = null;
                continue;
            }
            Matcher f = FRAME.matcher(line);
            if (f.find() && kernel != null) {
                frame = new long[] {Long.parseLong(f.group(1)), Long.parseLong(f.group(2)), Long.parseLong(f.group(3))};
                continue;
            }
            Matcher r = REGISTERS.matcher(line);
            if (r.find() && kernel != null && frame != null) {
                out.add(new Entry(kernel, Integer.parseInt(r.group(1)), frame[0], frame[1], frame[2]));
                kernel = null;
                frame = null;
            }
        }
        return new PtxasReport(List.copyOf(out));
    }
}
