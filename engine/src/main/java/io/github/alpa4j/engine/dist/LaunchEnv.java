package io.github.alpa4j.engine.dist;

import io.github.alpa4j.engine.UserInputException;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process sits in a multi-process job, as its launcher says: torchrun-style variables
 * ({@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code MASTER_ADDR}, {@code MASTER_PORT},
 * which {@code alpa4j launch} also sets), Open MPI ({@code OMPI_COMM_WORLD_*}) or Slurm
 * ({@code SLURM_PROCID}, {@code SLURM_NTASKS}, {@code SLURM_LOCALID}, rank 0 on the first host of
 * {@code SLURM_NODELIST}). Explicit torchrun variables win over Open MPI, which wins over Slurm
 * (srun may start mpirun, and anyone may set RANK on top).
 *
 * @param rank this process's rank, from 0
 * @param worldSize how many processes take part
 * @param localRank this process's rank among those on its host (which GPU it drives)
 * @param masterAddr host of rank 0, where the rendezvous store listens
 * @param masterPort its TCP port
 * @param launcher which variables these came from: {@code torchrun}, {@code openmpi}, {@code slurm}
 */
public record LaunchEnv(int rank, int worldSize, int localRank, String masterAddr, int masterPort, String launcher) {
    /** torchrun's default rendezvous port, used where a launcher gives none. */
    public static final int DEFAULT_PORT = 29500;

    public LaunchEnv {
        if (worldSize < 1) {
            throw new UserInputException(launcher + ": world size must be at least 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new UserInputException(launcher + ": rank " + rank + " is not in 0.." + (worldSize - 1) + " (world size " + worldSize + ")");
        }
        if (localRank < 0 || localRank > rank) {
            throw new UserInputException(launcher + ": local rank " + localRank + " must be between 0 and the rank (" + rank + ")");
        }
        if (masterAddr == null || masterAddr.isBlank()) {
            throw new UserInputException(launcher + ": the rendezvous host (MASTER_ADDR) is empty");
        }
        if (masterPort < 0 || masterPort > 65535) {
            throw new UserInputException(launcher + ": MASTER_PORT " + masterPort + " is not a TCP port (1-65535)");
        }
    }

    /** Several processes take part (a rendezvous is needed). */
    public boolean distributed() {
        return worldSize > 1;
    }

    /** The same place with another rendezvous port (tests bind rank 0 to an ephemeral port first). */
    public LaunchEnv withPort(int port) {
        return new LaunchEnv(rank, worldSize, localRank, masterAddr, port, launcher);
    }

    @Override
    public String toString() {
        return "rank " + rank + " of " + worldSize + " (local " + localRank + ", " + launcher + ", rendezvous " + masterAddr + ":" + masterPort + ")";
    }

    /**
     * This process's place when a launcher set one.
     *
     * @return empty when none of the launchers' variables is set (a plain single-process run)
     * @throws UserInputException naming the variable when one is missing, malformed or inconsistent
     */
    public static Optional<LaunchEnv> detect(Map<String, String> env) {
        if (env.containsKey("RANK") || env.containsKey("WORLD_SIZE")) {
            return Optional.of(torchrun(env));
        }
        if (env.containsKey("OMPI_COMM_WORLD_RANK")) {
            return Optional.of(openMpi(env));
        }
        if (env.containsKey("SLURM_PROCID")) {
            return Optional.of(slurm(env));
        }
        return Optional.empty();
    }

    /** Like {@link #detect}, but a missing launcher is an error saying what to set. */
    public static LaunchEnv require(Map<String, String> env, String what) {
        return detect(env).orElseThrow(() -> new UserInputException(what + " runs under a launcher: start it with 'alpa4j launch', "
                + "torchrun-style RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT, srun or mpirun"));
    }

    private static LaunchEnv torchrun(Map<String, String> env) {
        String l = "torchrun";
        int world = integer(env, "WORLD_SIZE", l);
        int rank = integer(env, "RANK", l);
        int local = integer(env, "LOCAL_RANK", l);
        checkRank(rank, "RANK", world, "WORLD_SIZE", l);
        checkLocal(local, "LOCAL_RANK", rank, l);
        String addr = env.get("MASTER_ADDR");
        if (world > 1 && addr == null) {
            throw new UserInputException(l + ": MASTER_ADDR is not set (the host of rank 0, reachable from every rank)");
        }
        if (world > 1 && env.get("MASTER_PORT") == null) {
            throw new UserInputException(l + ": MASTER_PORT is not set (a free TCP port on the host of rank 0, e.g. " + DEFAULT_PORT + ")");
        }
        return new LaunchEnv(rank, world, local, addr == null ? "127.0.0.1" : addr.strip(), port(env, l), l);
    }

    private static LaunchEnv openMpi(Map<String, String> env) {
        String l = "openmpi";
        int world = integer(env, "OMPI_COMM_WORLD_SIZE", l);
        int rank = integer(env, "OMPI_COMM_WORLD_RANK", l);
        int local = integer(env, "OMPI_COMM_WORLD_LOCAL_RANK", l);
        checkRank(rank, "OMPI_COMM_WORLD_RANK", world, "OMPI_COMM_WORLD_SIZE", l);
        checkLocal(local, "OMPI_COMM_WORLD_LOCAL_RANK", rank, l);
        String addr = env.get("MASTER_ADDR");
        if (world > 1 && addr == null) {
            throw new UserInputException(l + ": Open MPI gives ranks but no rendezvous host: set MASTER_ADDR to the host of rank 0 "
                    + "(mpirun -x MASTER_ADDR=host0 -x MASTER_PORT=" + DEFAULT_PORT + ")");
        }
        return new LaunchEnv(rank, world, local, addr == null ? "127.0.0.1" : addr.strip(), port(env, l), l);
    }

    private static LaunchEnv slurm(Map<String, String> env) {
        String l = "slurm";
        String sizeVar = env.containsKey("SLURM_NTASKS") ? "SLURM_NTASKS" : "SLURM_NPROCS";
        int world = integer(env, sizeVar, l);
        int rank = integer(env, "SLURM_PROCID", l);
        int local = integer(env, "SLURM_LOCALID", l);
        checkRank(rank, "SLURM_PROCID", world, sizeVar, l);
        checkLocal(local, "SLURM_LOCALID", rank, l);
        String addr = env.get("MASTER_ADDR");
        if (addr == null) {
            String list = env.containsKey("SLURM_NODELIST") ? "SLURM_NODELIST" : "SLURM_JOB_NODELIST";
            String nodes = env.get(list);
            if (nodes == null && world > 1) {
                throw new UserInputException(l + ": neither MASTER_ADDR nor SLURM_NODELIST is set: cannot tell where rank 0 runs");
            }
            addr = nodes == null ? "127.0.0.1" : firstHost(nodes, list);
        }
        return new LaunchEnv(rank, world, local, addr.strip(), port(env, l), l);
    }

    /**
     * The first host of a Slurm host list: {@code gpu[03-05,09],cpu1} gives {@code gpu03} (zero
     * padding kept), {@code node7,node8} gives {@code node7}.
     */
    static String firstHost(String hostList, String variable) {
        String s = hostList.strip();
        int depth = 0;
        int end = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                end = i;
                break;
            }
        }
        String first = s.substring(0, end);
        int open = first.indexOf('[');
        if (open < 0) {
            if (first.isEmpty() || first.indexOf(']') >= 0) {
                throw new UserInputException("slurm: cannot read the host list " + variable + "='" + hostList + "'");
            }
            return first;
        }
        int close = first.indexOf(']', open);
        if (close < 0 || open == 0) {
            throw new UserInputException("slurm: cannot read the host list " + variable + "='" + hostList + "'");
        }
        String range = first.substring(open + 1, close).split(",", 2)[0];
        String start = range.split("-", 2)[0];
        if (start.isEmpty() || !start.chars().allMatch(Character::isDigit)) {
            throw new UserInputException("slurm: cannot read the host list " + variable + "='" + hostList + "'");
        }
        return first.substring(0, open) + start + first.substring(close + 1);
    }

    private static int port(Map<String, String> env, String launcher) {
        String v = env.get("MASTER_PORT");
        if (v == null) {
            return DEFAULT_PORT;
        }
        int p;
        try {
            p = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UserInputException(launcher + ": MASTER_PORT='" + v + "' is not a TCP port (1-65535)");
        }
        if (p < 1 || p > 65535) {
            throw new UserInputException(launcher + ": MASTER_PORT=" + p + " is not a TCP port (1-65535)");
        }
        return p;
    }

    private static int integer(Map<String, String> env, String name, String launcher) {
        String v = env.get(name);
        if (v == null) {
            throw new UserInputException(launcher + ": " + name + " is not set");
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UserInputException(launcher + ": " + name + "='" + v + "' is not a whole number");
        }
    }

    private static void checkRank(int rank, String rankVar, int world, String worldVar, String launcher) {
        if (world < 1) {
            throw new UserInputException(launcher + ": " + worldVar + "=" + world + " must be at least 1");
        }
        if (rank < 0 || rank >= world) {
            throw new UserInputException(launcher + ": " + rankVar + "=" + rank + " must be in 0.." + (world - 1) + " (" + worldVar + "=" + world + ")");
        }
    }

    private static void checkLocal(int local, String localVar, int rank, String launcher) {
        if (local < 0 || local > rank) {
            throw new UserInputException(launcher + ": " + localVar + "=" + local + " must be between 0 and the rank (" + rank + ")");
        }
    }
}
