package io.github.alpa4j.ir;

/** How a parameter or state tensor is initialised; the values come from a seeded generator per tensor name. */
public sealed interface Init {
    record Zeros() implements Init {
        @Override
        public String toString() {
            return "zeros";
        }
    }

    record Ones() implements Init {
        @Override
        public String toString() {
            return "ones";
        }
    }

    /** Normal with mean 0 and the given standard deviation. */
    record Normal(double std) implements Init {
        @Override
        public String toString() {
            return "normal(" + std + ")";
        }
    }

    /** Uniform on [-bound, bound]. */
    record Uniform(double bound) implements Init {
        @Override
        public String toString() {
            return "uniform(" + bound + ")";
        }
    }

    static Init zeros() {
        return new Zeros();
    }

    static Init ones() {
        return new Ones();
    }

    static Init normal(double std) {
        return new Normal(std);
    }
}
