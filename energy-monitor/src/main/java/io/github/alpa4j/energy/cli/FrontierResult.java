package io.github.alpa4j.energy.cli;

import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.plan.ChosenPlan;

/**
 * What a frontier run produced.
 *
 * @param table the text to print: the frontier, the chosen point marked, the saving
 */
public record FrontierResult(String table, Frontier frontier, ChosenPlan chosen) {
}
