package io.github.alpa4j.engine.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The store's wire format: a request is an opcode byte and a UTF key, then the operation's
 * fields; a reply starts with a status byte. Big-endian, as {@link DataOutputStream} writes.
 * <pre>
 * (on connect) int MAGIC, int rank, int worldSize -> OK | ERROR, UTF message
 * SET     key, int length, bytes            -> OK
 * GET     key, long timeoutMillis           -> OK, int length, bytes | TIMEOUT
 * BARRIER key, int rank, long timeoutMillis -> OK | TIMEOUT, int count, count × int missing rank
 * </pre>
 */
final class StoreWire {
    static final int MAGIC = 0xA1FA4001;
    static final byte SET = 1;
    static final byte GET = 2;
    static final byte BARRIER = 3;
    static final byte OK = 0;
    static final byte TIMEOUT = 1;
    static final byte ERROR = 2;
    /** Values larger than this are refused: the store carries ids and small handshakes, not tensors. */
    static final int MAX_VALUE_BYTES = 1 << 20;

    private StoreWire() {
    }

    static byte[] readValue(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_VALUE_BYTES) {
            throw new IOException("store value of " + n + " bytes (at most " + MAX_VALUE_BYTES + ")");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void writeValue(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }
}
