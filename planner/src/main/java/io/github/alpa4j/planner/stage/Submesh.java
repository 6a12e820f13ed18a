package io.github.alpa4j.planner.stage;

/** A physical submesh: {@code hosts} hosts with {@code gpus} GPUs each (one host when it is part of one). */
public record Submesh(int hosts, int gpus) {
    public Submesh {
        if (hosts < 1 || gpus < 1) {
            throw new IllegalArgumentException("a submesh needs at least one host and one GPU: " + hosts + "x" + gpus);
        }
    }

    public int devices() {
        return hosts * gpus;
    }

    @Override
    public String toString() {
        return "(" + hosts + ", " + gpus + ")";
    }
}
