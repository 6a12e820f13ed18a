package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.profile.ExecutionOption;
import io.github.alpa4j.energy.profile.TimeEnergyCurve;

import java.util.ArrayList;
import java.util.List;

/**
 * The exact least effective energy for a deadline over every assignment of measured options to
 * computations, by exhaustive depth-first search in topological order. Two prunings keep it
 * exhaustive: a branch is dropped when even the fastest options downstream would miss the
 * deadline, or when even the cheapest options downstream cannot beat the best found.
 */
final class BruteForce {
    private final PipelineDag dag;
    private final List<List<ExecutionOption>> options;
    private final int[] order;
    private final long[] fastestTail;
    private final double[] cheapestRest;
    private final long[] finish;
    private long deadline;
    private double best;

    BruteForce(PipelineDag dag, Frontier frontier) {
        this.dag = dag;
        int n = dag.size();
        this.options = new ArrayList<>(n);
        double[] cheapest = new double[n];
        long[] fastest = new long[n];
        for (int i = 0; i < n; i++) {
            TimeEnergyCurve curve = frontier.curve(i);
            options.add(curve.options());
            cheapest[i] = curve.options().stream().mapToDouble(ExecutionOption::effectiveEnergyJoules).min().orElseThrow();
            fastest[i] = curve.minQuanta();
        }
        this.order = dag.topologicalOrder();
        this.fastestTail = new long[n];
        for (int p = n - 1; p >= 0; p--) {
            int v = order[p];
            long tail = 0;
            for (int k = 0; k < dag.successorCount(v); k++) {
                int w = dag.successor(v, k);
                tail = Math.max(tail, fastest[w] + fastestTail[w]);
            }
            fastestTail[v] = tail;
        }
        this.cheapestRest = new double[n + 1];
        for (int p = n - 1; p >= 0; p--) {
            cheapestRest[p] = cheapestRest[p + 1] + cheapest[order[p]];
        }
        this.finish = new long[n];
    }

    /**
     * Least effective energy of any assignment finishing within {@code deadline} quanta, or +∞.
     *
     * @param incumbent the energy of an assignment known to meet the deadline (or +∞): the search
     *     only has to look for cheaper ones
     */
    double optimum(long deadline, double incumbent) {
        this.deadline = deadline;
        this.best = incumbent;
        search(0, 0);
        return best;
    }

    private void search(int position, double energy) {
        if (position == order.length) {
            best = Math.min(best, energy);
            return;
        }
        if (energy + cheapestRest[position] >= best) {
            return;
        }
        int v = order[position];
        long start = 0;
        for (int k = 0; k < dag.predecessorCount(v); k++) {
            start = Math.max(start, finish[dag.predecessor(v, k)]);
        }
        List<ExecutionOption> choices = options.get(v);
        for (int k = choices.size() - 1; k >= 0; k--) {
            ExecutionOption option = choices.get(k);
            if (start + option.quanta() + fastestTail[v] > deadline) {
                continue;
            }
            finish[v] = start + option.quanta();
            search(position + 1, energy + option.effectiveEnergyJoules());
        }
    }
}
