package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.collective.TcpTransport;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.dist.Rendezvous;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How one rank of a training job joins the others once the plan says how many devices they share:
 * refuses a split that is not even, meets the others at the rendezvous (where, on GPUs, rank 0's
 * NCCL unique id reaches every rank), links every two ranks over TCP, checks that every rank planned
 * the same and, on GPUs, that every rank found its GPUs, so that no rank enters NCCL's
 * initialisation (which waits for every rank, with no timeout) while another has already given up.
 */
final class RankJoin {
    /** What the GPUs of a rank need from the job: the id rank 0 makes, and this rank's GPUs for its share of devices. */
    interface Gpus {
        NcclUniqueId makeId();

        int[] select(int devicesOfThisRank);
    }

    /**
     * This rank, joined: its links to the others (every rank's host bytes, failures) and, on GPUs,
     * the job's NCCL id and the GPU of each device it drives (null on the CPU).
     */
    record Joined(TcpTransport links, NcclUniqueId ncclId, int[] gpus) {
    }

    private RankJoin() {
    }

    /**
     * @param devices  the plan's devices
     * @param what     the plan's devices in words, for refusals
     * @param planJson the plan as JSON, whose digest every rank must share
     * @param gpus     on GPUs, the id maker and GPU selection; null on the CPU
     */
    static Joined join(LaunchEnv env, int devices, String what, String planJson, Duration timeout, Gpus gpus) {
        String uneven = RankGroup.unevenSplit(devices, env.worldSize(), what);
        if (uneven != null) {
            throw new UserInputException(uneven);
        }
        TcpTransport tcp;
        NcclUniqueId id = null;
        try (Rendezvous rv = Rendezvous.join(env, timeout)) {
            rv.barrier("train");
            if (gpus != null) {
                id = rv.exchangeNcclId(gpus::makeId);
            }
            tcp = TcpTransport.connect(rv, devices, timeout);
            rv.barrier("links");
        }
        try {
            byte[] mine = RendezvousCheckCommand.sha256(planJson.getBytes(StandardCharsets.UTF_8));
            List<byte[]> all = tcp.allGather(mine);
            for (int r = 0; r < all.size(); r++) {
                if (!Arrays.equals(all.get(r), mine)) {
                    throw new UserInputException("rank " + r + " planned differently from rank " + env.rank() + " (the solver is not"
                            + " deterministic across processes): plan once with 'alpa4j plan ... --json plan.json' and train with"
                            + " --load-plan plan.json, or use a manual plan (--plan megatron)");
                }
            }
            int[] ordinals = gpus == null ? null : selectTogether(tcp, gpus, devices / env.worldSize());
            return new Joined(tcp, id, ordinals);
        } catch (RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    /** This rank's GPUs, once every rank has found its own: a refusal on any rank is every rank's, naming it. */
    private static int[] selectTogether(TcpTransport tcp, Gpus gpus, int per) {
        int[] ordinals = null;
        String problem = "";
        try {
            ordinals = gpus.select(per);
        } catch (UserInputException e) {
            problem = e.getMessage();
        }
        List<byte[]> all = tcp.allGather(problem.getBytes(StandardCharsets.UTF_8));
        for (int r = 0; r < all.size(); r++) {
            if (all.get(r).length > 0) {
                String reason = new String(all.get(r), StandardCharsets.UTF_8);
                throw new UserInputException(r == tcp.rank() ? reason : "rank " + r + " cannot train: " + reason);
            }
        }
        return ordinals;
    }
}
