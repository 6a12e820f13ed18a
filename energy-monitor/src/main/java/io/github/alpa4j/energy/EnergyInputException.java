package io.github.alpa4j.energy;

/**
 * A problem in what the user gave the energy planner: a malformed profile row, a profile that
 * does not cover the requested stages, a deadline below the fastest iteration. The message is
 * one line that names the problem (and the CSV row where there is one); the CLI prints it and
 * exits with code 2.
 */
public final class EnergyInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EnergyInputException(String message) {
        super(message);
    }
}
