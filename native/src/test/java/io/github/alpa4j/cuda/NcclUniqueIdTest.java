package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NcclUniqueIdTest {

    @Test
    void travels_as_base64_and_back() {
        byte[] b = new byte[128];
        new Random(3).nextBytes(b);
        NcclUniqueId id = new NcclUniqueId(b);
        NcclUniqueId back = NcclUniqueId.fromBase64(id.toBase64());
        assertThat(back).isEqualTo(id).hasSameHashCodeAs(id);
        assertThat(back.bytes()).isEqualTo(b);
        b[0]++;
        assertThat(id.bytes()[0]).as("the id keeps its own copy").isNotEqualTo(b[0]);
    }

    @Test
    void refuses_anything_but_128_bytes() {
        assertThatThrownBy(() -> new NcclUniqueId(new byte[127])).hasMessageContaining("128 bytes, not 127");
        assertThatThrownBy(() -> NcclUniqueId.fromBase64("not base64!")).hasMessageContaining("not a Base64 NCCL unique id");
    }
}
