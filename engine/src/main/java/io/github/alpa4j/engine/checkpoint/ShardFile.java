package io.github.alpa4j.engine.checkpoint;

import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One device's blocks in a checkpoint: their values one after the other, four little-endian bytes per
 * element as the host holds them (IEEE float32 for floating types, int32 for i32), no header; the
 * manifest says where each block starts and the file's length and CRC-32C.
 */
final class ShardFile {
    /** Bytes per element on the host. */
    static final int ELEMENT_BYTES = 4;

    private ShardFile() {
    }

    /** What the manifest records of a written file. */
    record Written(long bytes, long crc32c) {
    }

    /** Writes {@code blocks} to {@code file} atomically (temporary name, fsync, rename). */
    static Written write(Path file, List<Tensor> blocks) {
        CRC32C crc = new CRC32C();
        long[] bytes = {0};
        OutputFile.write(file, ch -> {
            for (Tensor t : blocks) {
                ByteBuffer buf = encode(t);
                crc.update(buf.duplicate());
                bytes[0] += buf.remaining();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        });
        return new Written(bytes[0], crc.getValue());
    }

    /**
     * Reads blocks of {@code types} back, after checking the file's length and CRC-32C against the manifest's.
     *
     * @throws IOException when the file is missing, short, or its checksum differs
     */
    static List<Tensor> read(Path file, List<TensorType> types, Written expected) throws IOException {
        List<Tensor> out = new ArrayList<>();
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != expected.bytes()) {
                throw new IOException(file.getFileName() + " holds " + ch.size() + " bytes, the manifest says " + expected.bytes());
            }
            for (TensorType t : types) {
                ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(Math.multiplyExact(t.size(), ELEMENT_BYTES))).order(ByteOrder.LITTLE_ENDIAN);
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        throw new IOException(file.getFileName() + " ends early");
                    }
                }
                buf.flip();
                crc.update(buf.duplicate());
                out.add(decode(t, buf));
            }
        }
        if (crc.getValue() != expected.crc32c()) {
            throw new IOException(file.getFileName() + " fails its CRC-32C check");
        }
        return out;
    }

    private static ByteBuffer encode(Tensor t) {
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(t.size(), ELEMENT_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        if (t.isInt()) {
            buf.asIntBuffer().put(t.ints());
        } else {
            buf.asFloatBuffer().put(t.floats());
        }
        return buf;
    }

    private static Tensor decode(TensorType type, ByteBuffer buf) {
        Tensor t = Tensor.zeros(type);
        if (t.isInt()) {
            buf.asIntBuffer().get(t.ints());
        } else {
            buf.asFloatBuffer().get(t.floats());
        }
        return t;
    }
}
