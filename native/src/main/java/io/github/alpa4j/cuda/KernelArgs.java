package io.github.alpa4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one kernel launch, in order, as the kernel declares them: device pointers,
 * 32/64-bit integers, floats, and small structs passed by value (bytes laid out as the C struct).
 * Each value sits in one host block at its natural alignment; cuLaunchKernel copies them.
 */
public final class KernelArgs {
    private ByteBuffer data = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    private final List<Integer> offsets = new ArrayList<>();

    public static KernelArgs create() {
        return new KernelArgs();
    }

    /** A device pointer to the start of {@code b}. */
    public KernelArgs ptr(DeviceBuffer b) {
        return ptr(b.address());
    }

    /** A device pointer {@code byteOffset} bytes into {@code b}. */
    public KernelArgs ptr(DeviceBuffer b, long byteOffset) {
        return ptr(b.address(byteOffset));
    }

    public KernelArgs ptr(long deviceAddress) {
        return i64(deviceAddress);
    }

    public KernelArgs i32(int v) {
        slot(4, 4).putInt(v);
        return this;
    }

    public KernelArgs i64(long v) {
        slot(8, 8).putLong(v);
        return this;
    }

    public KernelArgs f32(float v) {
        slot(4, 4).putFloat(v);
        return this;
    }

    /** A struct by value: its bytes (little-endian, laid out as the kernel's C struct) and alignment. */
    public KernelArgs struct(byte[] bytes, int alignment) {
        slot(bytes.length, alignment).put(bytes);
        return this;
    }

    public int count() {
        return offsets.size();
    }

    /** Byte offset of argument {@code i} in {@link #bytes()}. */
    public int offset(int i) {
        return offsets.get(i);
    }

    /** The packed values, each at its natural alignment (a copy). */
    public byte[] bytes() {
        byte[] out = new byte[data.position()];
        data.duplicate().flip().get(out);
        return out;
    }

    private ByteBuffer slot(int size, int alignment) {
        int at = (data.position() + alignment - 1) / alignment * alignment;
        if (at + size > data.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * data.capacity(), at + size)).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(data.duplicate().flip());
            data = bigger;
        }
        data.position(at);
        offsets.add(at);
        return data;
    }
}
