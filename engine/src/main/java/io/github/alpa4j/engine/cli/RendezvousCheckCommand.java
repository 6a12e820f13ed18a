package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.dist.Rendezvous;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alpa4j rendezvous-check} (hidden): what a multi-process job does before it trains, and
 * nothing else. Every rank joins rank 0's store, meets at a barrier, receives a 128-byte id from
 * rank 0 (a real NCCL unique id with {@code --nccl}, else random bytes of the same size), then
 * publishes a digest of what it received and checks every rank's digest against its own. Run it
 * under {@code alpa4j launch} (or srun, mpirun, torchrun variables) to test a cluster's network.
 */
@Command(name = "rendezvous-check", hidden = true, mixinStandardHelpOptions = true,
        description = "Join the launcher's rendezvous, exchange an NCCL-sized id from rank 0 and check every rank got the same.")
public class RendezvousCheckCommand implements Callable<Integer> {
    @Option(names = "--timeout", defaultValue = "60", description = "Seconds the whole rendezvous may wait for the other ranks (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--nccl", description = "Exchange a real NCCL unique id (needs NCCL and a GPU on rank 0).")
    boolean nccl;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Where the launcher variables come from (tests give their own). */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() {
        if (!(timeoutSeconds > 0) || timeoutSeconds > Rendezvous.MAX_TIMEOUT.toSeconds()) {
            throw new UserInputException("--timeout must be positive" + (timeoutSeconds > 0 ? " and at most " + Rendezvous.MAX_TIMEOUT.toSeconds()
                    + " s (a week)" : "") + ", got " + timeoutSeconds);
        }
        LaunchEnv env = LaunchEnv.require(environment, "rendezvous-check");
        PrintWriter out = spec.commandLine().getOut();
        try (Rendezvous rv = Rendezvous.join(env, Duration.ofMillis(Math.round(timeoutSeconds * 1000)))) {
            rv.barrier("start");
            NcclUniqueId id = rv.exchangeNcclId(this::makeId);
            byte[] digest = sha256(id.bytes());
            rv.set("digest/" + env.rank(), digest);
            for (int r = 0; r < env.worldSize(); r++) {
                byte[] theirs = rv.get("digest/" + r);
                if (!Arrays.equals(theirs, digest)) {
                    throw new UserInputException("rank " + r + " received another id than rank " + env.rank() + " ("
                            + HexFormat.of().formatHex(theirs, 0, 4) + " vs " + HexFormat.of().formatHex(digest, 0, 4) + ")");
                }
            }
            rv.barrier("done");
            out.printf("rank %d of %d (local %d, %s): rendezvous at %s:%d ok; %s id sha256 %s agreed by all %d ranks%n", env.rank(),
                    env.worldSize(), env.localRank(), env.launcher(), env.masterAddr(), rv.port(), nccl ? "NCCL" : "random",
                    HexFormat.of().formatHex(digest, 0, 8), env.worldSize());
            out.flush();
        }
        return 0;
    }

    private NcclUniqueId makeId() {
        if (nccl) {
            try {
                return NcclUniqueId.create();
            } catch (CudaUnavailableException e) {
                throw new UserInputException("--nccl: " + e.getMessage(), e);
            }
        }
        byte[] b = new byte[NcclUniqueId.BYTES];
        new SecureRandom().nextBytes(b);
        return new NcclUniqueId(b);
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
