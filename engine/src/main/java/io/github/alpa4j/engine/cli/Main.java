package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code alpa4j} command line. User errors print one line and exit 2; --debug adds the stack trace. */
@Command(name = "alpa4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Trains models across devices with automatically planned parallelism, and plans their energy.")
public final class Main implements Runnable {
    /**
     * The subcommands. picocli reflects over every subcommand it is given before it parses anything (a
     * few tenths of a second for all of them), so a command line that names one gets only that one.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(DemoCommand.class, TrainCommand.class, PlanCommand.class,
            ProfileCommand.class, ValidateCommand.class, EnergyCommand.class, DoctorCommand.class, LaunchCommand.class, RendezvousCheckCommand.class, BenchGpuCommand.class,
            CommandLine.HelpCommand.class);

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The command's wall clock, from the user's start. */
    private final CommandClock clock;

    private Main(CommandClock clock) {
        this.clock = clock;
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        Interruption.install(err);
        Interruption.watchLauncher(System.getenv());
        System.exit(run(args, new PrintWriter(System.out, true), err, CommandClock.sinceLaunch()));
    }

    /** Runs the CLI and returns its exit code (for tests; its clock starts now). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, CommandClock.startingNow());
    }

    private static int run(String[] args, PrintWriter out, PrintWriter err, CommandClock clock) {
        CommandLine cli = new CommandLine(new Main(clock));
        for (Class<?> c : subcommandsFor(args)) {
            cli.addSubcommand(c);
        }
        cli.setOut(out);
        cli.setErr(err);
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        // a number a user types is finite: NaN and Infinity would flow into sizes and rates unnoticed
        cli.registerConverter(Double.class, Main::finite);
        cli.registerConverter(double.class, Main::finite);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("alpa4j: " + oneLine(ex.getMessage()) + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (debug) {
                ex.printStackTrace(err);
            }
            if (isUserError(ex)) {
                err.println("alpa4j: " + oneLine(ex.getMessage()));
                return 2;
            }
            if (ex instanceof io.github.alpa4j.engine.collective.CollectiveFailedException) {
                // another rank of the job failed, went away or hangs: not this rank's bug, and the message names it
                err.println("alpa4j: " + oneLine(ex.getMessage()));
                return 1;
            }
            err.println("alpa4j: internal error: " + ex + (debug ? "" : " (run with --debug for the stack trace)"));
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The subcommand the first argument that is not an option names, or all of them (for help, usage and errors). */
    private static List<Class<?>> subcommandsFor(String[] args) {
        String named = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        for (Class<?> c : SUBCOMMANDS) {
            if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(named)) {
                return List.of(c);
            }
        }
        return SUBCOMMANDS;
    }

    /** The longest unbroken word a message repeats whole: a pasted megabyte is quoted by its start and length. */
    private static final int LONGEST_WORD = 200;
    private static final java.util.regex.Pattern LONG_WORD = java.util.regex.Pattern.compile("\\S{" + (LONGEST_WORD + 1) + ",}");

    /** A message as one line: line breaks and tabs a user's input carried shown escaped, very long words cut short. */
    static String oneLine(String message) {
        String flat = String.valueOf(message).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return LONG_WORD.matcher(flat).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group().substring(0, LONGEST_WORD / 2) + "...(" + m.group().length() + " characters)"));
    }

    private static Double finite(String text) {
        double v;
        try {
            v = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a finite number");
        }
        return v;
    }

    /** Errors the user can fix, from any module: reported in one line with exit code 2. */
    static boolean isUserError(Throwable ex) {
        return ex instanceof UserInputException || ex instanceof CommandLine.ParameterException
                || ex instanceof io.github.alpa4j.energy.EnergyInputException
                || ex instanceof io.github.alpa4j.energy.control.ClockControlException
                || ex instanceof io.github.alpa4j.planner.PlanningException
                || ex instanceof io.github.alpa4j.ir.json.GraphFormatException;
    }

    CommandClock clock() {
        return clock;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"alpa4j " + (v != null ? v : "(development build)"), "Java " + Runtime.version()};
        }
    }
}
