package io.github.alpa4j.engine.data;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Token sequences from a first-order Markov chain with a seeded random transition matrix. Each
 * sequence starts from the stationary distribution π, so every target token has its predecessor
 * in context and the best reachable next-token cross-entropy is exactly the entropy rate
 * H = −Σ_i π_i Σ_j P_ij ln P_ij (nats).
 */
public final class MarkovSource implements DataSource {
    /** How peaked the rows are: rows are softmax(sharpness·z) with z standard normal. */
    private static final double SHARPNESS = 2.0;

    private final int vocab;
    private final int batch;
    private final int seq;
    private final long seed;
    private final double[][] transition;
    private final double[] stationary;
    private final double entropyRate;
    private final String tokensName;
    private final String targetsName;

    public MarkovSource(int vocab, int batch, int seq, long seed, String tokensName, String targetsName) {
        this.vocab = vocab;
        this.batch = batch;
        this.seq = seq;
        this.seed = seed;
        this.tokensName = tokensName;
        this.targetsName = targetsName;
        this.transition = randomTransitions(vocab, new SplittableRandom(seed ^ 0x4d61726b6f76L));
        this.stationary = stationary(transition);
        this.entropyRate = entropyRate(transition, stationary);
    }

    static double[][] randomTransitions(int v, SplittableRandom r) {
        double[][] p = new double[v][v];
        for (int i = 0; i < v; i++) {
            double sum = 0;
            for (int j = 0; j < v; j++) {
                p[i][j] = Math.exp(SHARPNESS * gaussian(r));
                sum += p[i][j];
            }
            for (int j = 0; j < v; j++) {
                p[i][j] /= sum;
            }
        }
        return p;
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default
        double u = 1.0 - r.nextDouble();
        double w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }

    /** π with π·P = π, by power iteration (the chain is positive, hence ergodic). */
    static double[] stationary(double[][] p) {
        int v = p.length;
        double[] pi = new double[v];
        java.util.Arrays.fill(pi, 1.0 / v);
        for (int it = 0; it < 100_000; it++) {
            double[] next = new double[v];
            for (int i = 0; i < v; i++) {
                for (int j = 0; j < v; j++) {
                    next[j] += pi[i] * p[i][j];
                }
            }
            double diff = 0;
            for (int j = 0; j < v; j++) {
                diff += Math.abs(next[j] - pi[j]);
            }
            pi = next;
            if (diff < 1e-15) {
                break;
            }
        }
        return pi;
    }

    static double entropyRate(double[][] p, double[] pi) {
        double h = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (p[i][j] > 0) {
                    h -= pi[i] * p[i][j] * Math.log(p[i][j]);
                }
            }
        }
        return h;
    }

    public double entropyRate() {
        return entropyRate;
    }

    public double[] stationary() {
        return stationary.clone();
    }

    public double transition(int from, int to) {
        return transition[from][to];
    }

    @Override
    public OptionalDouble lossFloor() {
        return OptionalDouble.of(entropyRate);
    }

    @Override
    public Map<String, Tensor> batch(long step) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int[] tokens = new int[batch * seq];
        int[] targets = new int[batch * seq];
        for (int b = 0; b < batch; b++) {
            int x = sample(stationary, r);
            for (int t = 0; t < seq; t++) {
                int next = sample(transition[x], r);
                tokens[b * seq + t] = x;
                targets[b * seq + t] = next;
                x = next;
            }
        }
        TensorType type = TensorType.i32(batch, seq);
        return Map.of(tokensName, Tensor.ofInts(type, tokens), targetsName, Tensor.ofInts(type, targets));
    }

    private static int sample(double[] p, SplittableRandom r) {
        double u = r.nextDouble();
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) {
                return i;
            }
        }
        return p.length - 1;
    }

    @Override
    public String describe() {
        return String.format("Markov chain over %d tokens (seed %d), entropy rate %.4f nats", vocab, seed, entropyRate);
    }
}
