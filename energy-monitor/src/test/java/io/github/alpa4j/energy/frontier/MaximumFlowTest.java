package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Both ways of finding the minimum cut under lower and upper bounds (JGraphT's two runs from
 * scratch, augmenting paths from a feasible flow) against every cut of networks small enough to
 * enumerate.
 */
class MaximumFlowTest {

    /**
     * 300 networks: the smallest and the largest pipeline under each schedule, then random ones
     * with 1–2 stages and 1–2 microbatches (inclusive), drawn from a fixed seed, as are the
     * network seeds.
     */
    static List<Arguments> networks() {
        Random random = new Random(0x5EED_F10L);
        List<Arguments> cases = new ArrayList<>();
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            cases.add(Arguments.of(1, 1, schedule, random.nextLong()));
            cases.add(Arguments.of(2, 2, schedule, random.nextLong()));
        }
        PipelineSchedule[] schedules = PipelineSchedule.values();
        while (cases.size() < 300) {
            cases.add(Arguments.of(random.nextInt(1, 2 + 1), random.nextInt(1, 2 + 1),
                    schedules[random.nextInt(schedules.length)], random.nextLong()));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} stages, {1} microbatches, {2}, seed {3}")
    @MethodSource("networks")
    void bothMethodsFindTheCheapestOfAllCuts(int stages, int microbatches, PipelineSchedule schedule, long seed) {
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        CriticalNetwork scratch = randomFeasibleNetwork(dag, new Random(seed));
        CriticalNetwork warm = randomFeasibleNetwork(dag, new Random(seed));
        double exhaustive = cheapestCut(scratch);

        Optional<boolean[]> fromScratch = TwoPhaseMaxFlow.solve(scratch);
        Optional<boolean[]> augmented = AugmentingPaths.maximise(warm);
        assertThat(fromScratch.isPresent()).isEqualTo(Double.isFinite(exhaustive));
        assertThat(augmented.isPresent()).isEqualTo(Double.isFinite(exhaustive));
        if (fromScratch.isPresent()) {
            assertThat(scratch.cut(fromScratch.get()).cost()).isCloseTo(exhaustive, within(1e-9));
            assertThat(warm.cut(augmented.get()).cost()).isCloseTo(exhaustive, within(1e-9));
            assertFeasible(scratch);
            assertFeasible(warm);
            assertThat(flowValue(scratch)).isCloseTo(exhaustive, within(1e-9));
            assertThat(flowValue(warm)).isCloseTo(exhaustive, within(1e-9));
        }
    }

    /**
     * Every computation and edge critical, bounds drawn around a random s–t flow so that a
     * feasible flow exists; some bounds infinite, as at a computation's fastest or slowest.
     * The network's flow starts at that feasible flow.
     */
    private static CriticalNetwork randomFeasibleNetwork(PipelineDag dag, Random random) {
        int n = dag.size();
        boolean[] critical = new boolean[n];
        Arrays.fill(critical, true);
        int[] edgeIndex = new int[n];
        int edges = 0;
        for (int i = 0; i < n; i++) {
            edgeIndex[i] = edges;
            edges += dag.successorCount(i);
        }
        boolean[] edgeCritical = new boolean[edges];
        Arrays.fill(edgeCritical, true);
        CriticalNetwork network = CriticalNetwork.of(dag, critical, edgeCritical, edgeIndex, new double[n], new double[n]);
        for (int path = 0; path < 3; path++) {
            double amount = random.nextDouble();
            int v = CriticalNetwork.SOURCE;
            while (v != CriticalNetwork.SINK) {
                int[] out = outgoing(network, v);
                int a = out[random.nextInt(out.length)];
                network.flow[a] += amount;
                v = network.to[a];
            }
        }
        for (int a = 0; a < network.arcCount(); a++) {
            if (network.computation[a] < 0) {
                network.lower[a] = 0;
                network.upper[a] = Double.POSITIVE_INFINITY;
                continue;
            }
            int kind = random.nextInt(6);
            network.lower[a] = kind == 0 ? Double.NEGATIVE_INFINITY : network.flow[a] - random.nextDouble();
            network.upper[a] = kind == 1 ? Double.POSITIVE_INFINITY : network.flow[a] + random.nextDouble();
        }
        return network;
    }

    private static int[] outgoing(CriticalNetwork network, int v) {
        return Arrays.stream(network.incident, network.start[v], network.start[v + 1])
                .filter(a -> network.from[a] == v).toArray();
    }

    /** Σ upper(forward) − Σ lower(backward) minimised over every s–t cut, by enumeration. */
    private static double cheapestCut(CriticalNetwork network) {
        int free = network.vertexCount - 2;
        double best = Double.POSITIVE_INFINITY;
        boolean[] side = new boolean[network.vertexCount];
        for (long mask = 0; mask < (1L << free); mask++) {
            side[CriticalNetwork.SOURCE] = true;
            side[CriticalNetwork.SINK] = false;
            for (int v = 0; v < free; v++) {
                side[v + 2] = (mask >> v & 1) == 1;
            }
            double cost = 0;
            for (int a = 0; a < network.arcCount(); a++) {
                if (side[network.from[a]] && !side[network.to[a]]) {
                    cost += network.upper[a];
                } else if (!side[network.from[a]] && side[network.to[a]]) {
                    cost -= network.lower[a];
                }
            }
            best = Math.min(best, cost);
        }
        return best;
    }

    private static void assertFeasible(CriticalNetwork network) {
        double[] net = new double[network.vertexCount];
        for (int a = 0; a < network.arcCount(); a++) {
            assertThat(network.flow[a]).isBetween(network.lower[a] - 1e-9, network.upper[a] + 1e-9);
            net[network.from[a]] -= network.flow[a];
            net[network.to[a]] += network.flow[a];
        }
        for (int v = 2; v < network.vertexCount; v++) {
            assertThat(net[v]).as("conservation at %d", v).isCloseTo(0, within(1e-9));
        }
    }

    private static double flowValue(CriticalNetwork network) {
        double value = 0;
        for (int a = 0; a < network.arcCount(); a++) {
            if (network.from[a] == CriticalNetwork.SOURCE) {
                value += network.flow[a];
            }
        }
        return value;
    }
}
