package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Host copies of devices' blocks shared among the processes of a job: each process has the blocks of
 * the devices it drives and receives the others' (a step's outputs, whole parameters). Every process
 * calls it with the same devices in the same order.
 */
final class HostBlocks {
    private HostBlocks() {
    }

    /**
     * Every device's block, in the order of {@code devices}.
     *
     * @param devices the plan devices whose blocks are wanted
     * @param blocks  their blocks, null where this process does not drive the device
     * @param type    the type of every block
     */
    static List<Tensor> allGather(RankGroup ranks, int[] devices, List<Tensor> blocks, TensorType type) {
        if (ranks.size() == 1) {
            return blocks;
        }
        int elements = Math.toIntExact(type.shape().size());
        int mine = (int) blocks.stream().filter(b -> b != null).count();
        ByteBuffer out = ByteBuffer.allocate(mine * (4 + 4 * elements)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < devices.length; i++) {
            Tensor b = blocks.get(i);
            if (b == null) {
                continue;
            }
            out.putInt(i);
            if (b.isInt()) {
                out.asIntBuffer().put(b.ints());
            } else {
                out.asFloatBuffer().put(b.floats());
            }
            out.position(out.position() + 4 * elements);
        }
        List<Tensor> all = new ArrayList<>(blocks);
        for (byte[] theirs : ranks.allGather(out.array())) {
            ByteBuffer in = ByteBuffer.wrap(theirs).order(ByteOrder.LITTLE_ENDIAN);
            while (in.hasRemaining()) {
                int i = in.getInt();
                if (all.get(i) == null) {
                    if (type.dtype().isFloating()) {
                        float[] v = new float[elements];
                        in.asFloatBuffer().get(v);
                        all.set(i, Tensor.of(type, v));
                    } else {
                        int[] v = new int[elements];
                        in.asIntBuffer().get(v);
                        all.set(i, Tensor.ofInts(type, v));
                    }
                }
                in.position(in.position() + 4 * elements);
            }
        }
        for (int i = 0; i < devices.length; i++) {
            if (all.get(i) == null) {
                throw new IllegalStateException("no rank sent the block of device " + devices[i]);
            }
        }
        return all;
    }
}
