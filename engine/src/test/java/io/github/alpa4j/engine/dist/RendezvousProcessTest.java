package io.github.alpa4j.engine.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.NcclUniqueId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rendezvous between two processes: this JVM is rank 0, a second JVM started from the same
 * java and class path runs {@code alpa4j rendezvous-check} as rank 1 on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RendezvousProcessTest {
    @Test
    void aSecondJvmReceivesRankZerosIdAndAgrees() throws Exception {
        byte[] b = new byte[NcclUniqueId.BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        NcclUniqueId id = new NcclUniqueId(b);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(b);
        try (Rendezvous rank0 = Rendezvous.join(new LaunchEnv(0, 2, 0, "127.0.0.1", 0, "test"), Duration.ofSeconds(60))) {
            ProcessBuilder pb = new ProcessBuilder(JavaCommand.cli().with(List.of("rendezvous-check", "--timeout", "60")));
            pb.environment().putAll(java.util.Map.of("RANK", "1", "WORLD_SIZE", "2", "LOCAL_RANK", "0",
                    "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(rank0.port())));
            pb.redirectErrorStream(true);
            Process child = pb.start();
            // rank 0's half of what rendezvous-check does
            rank0.barrier("start");
            assertThat(rank0.exchangeNcclId(() -> id)).isEqualTo(id);
            rank0.set("digest/0", digest);
            assertThat(rank0.get("digest/1")).as("the digest rank 1 computed of the id it received").isEqualTo(digest);
            rank0.barrier("done");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as(out).isZero();
            assertThat(out).contains("rank 1 of 2 (local 0, torchrun): rendezvous at 127.0.0.1:" + rank0.port() + " ok; random id sha256 "
                    + HexFormat.of().formatHex(digest, 0, 8) + " agreed by all 2 ranks");
        }
    }
}
