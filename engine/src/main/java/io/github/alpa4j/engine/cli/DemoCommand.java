package io.github.alpa4j.engine.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code alpa4j demo}: the main job with good defaults, on the CPU. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the small GPT on the Markov source on the CPU and compare its loss with the entropy floor.")
public class DemoCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine train = new CommandLine(new TrainCommand());
        train.setOut(spec.commandLine().getOut());
        train.setErr(spec.commandLine().getErr());
        train.setExecutionExceptionHandler(spec.commandLine().getExecutionExceptionHandler());
        return train.execute("--model", "gpt", "--steps", "200", "--log-every", "20");
    }
}
