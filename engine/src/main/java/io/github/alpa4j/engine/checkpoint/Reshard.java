package io.github.alpa4j.engine.checkpoint;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.runtime.ShardLayout;
import io.github.alpa4j.engine.runtime.VariableShard;
import io.github.alpa4j.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A checkpoint's variables cut for another mesh or plan, as PyTorch's distributed checkpoint loads a
 * state dict saved under other placements: each variable is put back together whole from the blocks
 * its devices saved ({@link ShardLayout#assemble}), then cut into the blocks the new layout holds.
 * On the layout it was saved from, a checkpoint's blocks are used as they are.
 */
public final class Reshard {
    private Reshard() {
    }

    /**
     * Every device's blocks under {@code target}, in its order, from {@code saved}.
     *
     * @throws UserInputException when the checkpoint holds other variables, or the same ones with other types
     */
    public static List<List<Tensor>> blocks(Checkpoint saved, List<List<VariableShard>> target) {
        if (saved.layout().equals(target)) {
            return saved.blocks();
        }
        Set<String> have = new TreeSet<>();
        saved.layout().forEach(d -> d.forEach(v -> have.add(v.name())));
        Set<String> want = new TreeSet<>();
        target.forEach(d -> d.forEach(v -> want.add(v.name())));
        if (!have.equals(want)) {
            Set<String> missing = new TreeSet<>(want);
            missing.removeAll(have);
            Set<String> extra = new TreeSet<>(have);
            extra.removeAll(want);
            throw new UserInputException("the checkpoint holds other variables than this run ("
                    + (missing.isEmpty() ? "" : "missing " + first(missing)) + (missing.isEmpty() || extra.isEmpty() ? "" : ", ")
                    + (extra.isEmpty() ? "" : "extra " + first(extra)) + "): it was made for another model or optimizer");
        }
        Map<String, Tensor> whole = new HashMap<>();
        List<List<Tensor>> out = new ArrayList<>();
        for (List<VariableShard> device : target) {
            List<Tensor> mine = new ArrayList<>();
            for (VariableShard v : device) {
                Tensor w = whole.computeIfAbsent(v.name(), n -> assemble(saved, n));
                if (!w.type().equals(v.global())) {
                    throw new UserInputException("the checkpoint's " + v.name() + " is " + w.type() + ", this run's is " + v.global()
                            + ": it was made for another model");
                }
                mine.add(v.cut(w));
            }
            out.add(mine);
        }
        return out;
    }

    /** The whole value of variable {@code name} from the blocks of the first stage that holds it. */
    private static Tensor assemble(Checkpoint saved, String name) {
        VariableShard first = null;
        Tensor[] blocks = null;
        for (int d = 0; d < saved.layout().size(); d++) {
            List<VariableShard> device = saved.layout().get(d);
            for (int i = 0; i < device.size(); i++) {
                VariableShard v = device.get(i);
                if (!v.name().equals(name) || first != null && v.stage() != first.stage()) {
                    continue;
                }
                if (first == null) {
                    first = v;
                    blocks = new Tensor[v.mesh().devices()];
                }
                blocks[v.meshDevice()] = saved.blocks().get(d).get(i);
            }
        }
        for (int k = 0; k < blocks.length; k++) {
            if (blocks[k] == null) {
                throw new UserInputException("the checkpoint lacks device " + k + "'s block of " + name + " (stage " + first.stage() + ")");
            }
        }
        return ShardLayout.assemble(List.of(blocks), first.spec(), first.global(), first.mesh());
    }

    private static String first(Set<String> names) {
        return names.iterator().next() + (names.size() > 1 ? " and " + (names.size() - 1) + " more" : "");
    }
}
