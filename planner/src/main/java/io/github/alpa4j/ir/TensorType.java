package io.github.alpa4j.ir;

/** The static type of a tensor: element type and shape. */
public record TensorType(DType dtype, Shape shape) {

    public static TensorType f32(int... dims) {
        return new TensorType(DType.F32, Shape.of(dims));
    }

    public static TensorType i32(int... dims) {
        return new TensorType(DType.I32, Shape.of(dims));
    }

    public static TensorType scalarF32() {
        return new TensorType(DType.F32, Shape.scalar());
    }

    public int rank() {
        return shape.rank();
    }

    public int dim(int i) {
        return shape.dim(i);
    }

    public long size() {
        return shape.size();
    }

    public long bytes() {
        return shape.size() * dtype.bytes();
    }

    public TensorType withShape(Shape s) {
        return new TensorType(dtype, s);
    }

    @Override
    public String toString() {
        return dtype.code() + shape;
    }
}
