package io.github.alpa4j.planner.ilp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The LP relaxation: exact on trees, fractional (and so handed on to CP-SAT) on a frustrated cycle. */
class LpRelaxationTest {

    @Test
    void treeProblemsAreSolvedExactly() {
        Random r = new Random(7);
        for (int t = 0; t < 50; t++) {
            int n = 2 + r.nextInt(5);
            List<double[]> costs = new ArrayList<>();
            for (int v = 0; v < n; v++) {
                costs.add(r.doubles(2 + r.nextInt(3), 0, 1).toArray());
            }
            List<IlpProblem.Edge> edges = new ArrayList<>();
            for (int v = 1; v < n; v++) {
                int u = r.nextInt(v);
                double[][] m = new double[costs.get(u).length][costs.get(v).length];
                for (double[] row : m) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = r.nextDouble();
                    }
                }
                edges.add(new IlpProblem.Edge(u, v, m));
            }
            IlpProblem p = new IlpProblem(costs, edges, List.of());
            IlpSolution lp = LpRelaxation.solve(p, 10);
            assertThat(lp.status()).isEqualTo(IlpSolution.SolveStatus.OPTIMAL);
            assertThat(lp.objective()).isCloseTo(bruteForce(p), within(1e-9));
        }
    }

    @Test
    void aFrustratedTriangleIsFractional() {
        // three two-way choices that each want to differ from both neighbours: no integral point reaches the LP's 0
        double[][] differ = {{1, 0}, {0, 1}};
        IlpProblem p = new IlpProblem(List.of(new double[2], new double[2], new double[2]),
                List.of(new IlpProblem.Edge(0, 1, differ), new IlpProblem.Edge(1, 2, differ), new IlpProblem.Edge(0, 2, differ)),
                List.of());
        IlpSolution lp = LpRelaxation.solve(p, 10);
        assertThat(lp.status()).isEqualTo(IlpSolution.SolveStatus.FEASIBLE);
        assertThat(bruteForce(p)).isEqualTo(1.0);
    }

    private static double bruteForce(IlpProblem p) {
        int[] c = new int[p.varCount()];
        double best = Double.POSITIVE_INFINITY;
        while (true) {
            best = Math.min(best, p.objective(c));
            int v = 0;
            while (v < c.length && ++c[v] == p.choices(v)) {
                c[v++] = 0;
            }
            if (v == c.length) {
                return best;
            }
        }
    }
}
