package io.github.alpa4j.ir.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.PatchOp;

/** JSON attributes of the window ops: the window, stride and padding (and col2im's image size). */
final class PatchCodec {
    private PatchCodec() {
    }

    static String write(PatchOp op, ObjectNode a) {
        if (op instanceof PatchOp.Col2Im c) {
            a.put("h", c.h()).put("w", c.w());
        }
        a.put("kh", op.kh()).put("kw", op.kw()).put("stride", op.stride()).put("pad", op.pad());
        return op.opName();
    }

    static PatchOp read(String tag, OpCodec.Attrs x) {
        return switch (tag) {
            case "im2col" -> new PatchOp.Im2Col(x.integer("kh"), x.integer("kw"), x.integer("stride"), x.integer("pad"));
            case "col2im" -> new PatchOp.Col2Im(x.integer("h"), x.integer("w"), x.integer("kh"), x.integer("kw"),
                    x.integer("stride"), x.integer("pad"));
            default -> throw new IllegalArgumentException("not a window op: " + tag);
        };
    }
}
