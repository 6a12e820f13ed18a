package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.energy.StragglerNotices;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alpa4j energy straggler}: tells a running {@code train --energy-plan --job-dir DIR} that a straggler sets the iteration time. */
@Command(name = "straggler", mixinStandardHelpOptions = true,
        description = {"Tell a running 'train --pipeline --energy-plan ... --job-dir DIR' that a straggler sets the iteration time:",
            "from its next step it runs the least-energy frontier point within that time. --time 0: the straggler is gone",
            "(back to the fastest point). The notice is a line added atomically to DIR/" + StragglerNotices.FILE + "."})
public class StragglerCommand implements Callable<Integer> {
    @Option(names = "--job", required = true, description = "The running job's --job-dir.")
    Path job;

    @Option(names = "--time", required = true, description = "The straggler's iteration time in seconds; 0 when there is none any more.")
    double seconds;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path file = StragglerNotices.post(job, seconds);
        spec.commandLine().getOut().println(seconds > 0
                ? String.format(Locale.ROOT, "straggler notice of %s s written to %s: the run switches at its next step", seconds, file)
                : "straggler-gone notice written to " + file + ": the run returns to its fastest point at its next step");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
