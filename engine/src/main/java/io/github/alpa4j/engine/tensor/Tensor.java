package io.github.alpa4j.engine.tensor;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.TensorType;
import java.util.Arrays;

/**
 * A tensor in host memory, row-major: float32 values, or int32 for ids and labels. Mutable
 * storage owned by whoever holds it; backends copy it to their own memory.
 */
public final class Tensor {
    private final TensorType type;
    private final float[] floats;
    private final int[] ints;

    private Tensor(TensorType type, float[] floats, int[] ints) {
        this.type = type;
        this.floats = floats;
        this.ints = ints;
    }

    public static Tensor zeros(TensorType t) {
        int n = Math.toIntExact(t.size());
        return t.dtype() == DType.I32 ? new Tensor(t, null, new int[n]) : new Tensor(t, new float[n], null);
    }

    public static Tensor of(TensorType t, float[] values) {
        if (t.dtype() == DType.I32 || values.length != t.size()) {
            throw new IllegalArgumentException(values.length + " floats do not make a " + t);
        }
        return new Tensor(t, values, null);
    }

    public static Tensor ofInts(TensorType t, int[] values) {
        if (t.dtype() != DType.I32 || values.length != t.size()) {
            throw new IllegalArgumentException(values.length + " ints do not make a " + t);
        }
        return new Tensor(t, null, values);
    }

    public static Tensor scalar(float v) {
        return new Tensor(TensorType.scalarF32(), new float[] {v}, null);
    }

    public TensorType type() {
        return type;
    }

    public boolean isInt() {
        return ints != null;
    }

    /** The float storage (not a copy). */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor of " + type + " has no float storage");
        }
        return floats;
    }

    /** The int storage (not a copy). */
    public int[] ints() {
        if (ints == null) {
            throw new IllegalStateException("tensor of " + type + " has no int storage");
        }
        return ints;
    }

    public int size() {
        return floats != null ? floats.length : ints.length;
    }

    public float item() {
        return floats()[0];
    }

    /** Values widened to double (ids stay exact). */
    public double[] toDoubles() {
        double[] d = new double[size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = floats != null ? floats[i] : ints[i];
        }
        return d;
    }

    public static Tensor fromDoubles(TensorType t, double[] d) {
        Tensor x = zeros(t);
        for (int i = 0; i < d.length; i++) {
            if (x.ints != null) {
                x.ints[i] = (int) d[i];
            } else {
                x.floats[i] = (float) d[i];
            }
        }
        return x;
    }

    public Tensor copy() {
        return new Tensor(type, floats == null ? null : floats.clone(), ints == null ? null : ints.clone());
    }

    @Override
    public String toString() {
        String vals = floats != null ? Arrays.toString(Arrays.copyOf(floats, Math.min(8, floats.length)))
                : Arrays.toString(Arrays.copyOf(ints, Math.min(8, ints.length)));
        return type + vals;
    }
}
