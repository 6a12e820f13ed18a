package io.github.alpa4j.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code alpa4j energy}: the Perseus energy planner. */
@Command(name = "energy", mixinStandardHelpOptions = true,
        description = "Plan GPU frequencies from the iteration-time/energy frontier (Perseus).",
        subcommands = {FrontierCommand.class, EnergyProfileCommand.class, CalibrateCommand.class, CheckModelCommand.class, ClocksCommand.class, StragglerCommand.class})
public class EnergyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
