package io.github.alpa4j.ir.eval;

/** The reference evaluator's embedding lookups and cross entropy, in float64: rows picked by id. */
final class ReferenceLookups {
    private ReferenceLookups() {
    }

    static double[] embedding(double[] ids, double[] table, int h) {
        double[] r = new double[ids.length * h];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(table, (int) ids[i] * h, r, i * h, h);
        }
        return r;
    }

    static double[] embeddingGrad(double[] ids, double[] dy, int vocab, int h) {
        double[] r = new double[vocab * h];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < h; j++) {
                r[(int) ids[i] * h + j] += dy[i * h + j];
            }
        }
        return r;
    }

    static double crossEntropy(double[] logits, double[] labels, int vocab) {
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                max = Math.max(max, logits[i * vocab + j]);
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(logits[i * vocab + j] - max);
            }
            total += Math.log(sum) + max - logits[i * vocab + (int) labels[i]];
        }
        return total / labels.length;
    }

    static double[] crossEntropyGrad(double[] logits, double[] labels, double dloss, int vocab) {
        double[] p = ReferenceEvaluator.softmax(logits, io.github.alpa4j.ir.Shape.of(logits.length / vocab, vocab), false);
        for (int i = 0; i < labels.length; i++) {
            p[i * vocab + (int) labels[i]] -= 1;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] *= dloss / labels.length;
        }
        return p;
    }
}
