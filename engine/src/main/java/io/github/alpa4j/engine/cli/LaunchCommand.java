package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.dist.JavaCommand;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.dist.Launcher;
import io.github.alpa4j.planner.cluster.Cluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code alpa4j launch}: starts this host's workers of a multi-process job (one per GPU) as
 * torchrun does; run it once on every host with the same {@code --nnodes}, {@code --master-addr}
 * and {@code --master-port} and that host's {@code --node-rank}. See docs/launch.md.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Start this host's workers of a multi-process job (torchrun style): each gets RANK, WORLD_SIZE, "
                + "LOCAL_RANK, MASTER_ADDR and MASTER_PORT, its output is prefixed with its rank, and the first failure stops the others.",
                "Example: alpa4j launch --nnodes 2 --node-rank 0 --master-addr host0 --nproc-per-node 8 -- train --backend cuda ..."})
public class LaunchCommand implements Callable<Integer> {
    /** More workers than any host has GPUs. */
    static final int MAX_PROCS_PER_NODE = 1024;

    @Option(names = "--nnodes", defaultValue = "1", description = "Hosts taking part (default: ${DEFAULT-VALUE}).")
    int nnodes;

    @Option(names = "--node-rank", defaultValue = "0", description = "This host's index, 0 on the host of rank 0 (default: ${DEFAULT-VALUE}).")
    int nodeRank;

    @Option(names = "--nproc-per-node", defaultValue = "1", description = "Workers on this host, usually one per GPU (default: ${DEFAULT-VALUE}).")
    int nprocPerNode;

    @Option(names = "--master-addr", defaultValue = "127.0.0.1",
            description = "Host of node 0, reachable from every host (default: ${DEFAULT-VALUE}).")
    String masterAddr;

    @Option(names = "--master-port", defaultValue = "" + LaunchEnv.DEFAULT_PORT,
            description = "Rendezvous TCP port on node 0; 0 picks a free one (one host only) (default: ${DEFAULT-VALUE}).")
    int masterPort;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The alpa4j command every worker runs, after '--', e.g. -- train --backend cuda.")
    List<String> command;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (nnodes < 1) {
            throw new UserInputException("--nnodes must be at least 1, got " + nnodes);
        }
        if (nodeRank < 0 || nodeRank >= nnodes) {
            throw new UserInputException("--node-rank " + nodeRank + " must be in 0.." + (nnodes - 1) + " (--nnodes " + nnodes + ")");
        }
        if (nprocPerNode < 1) {
            throw new UserInputException("--nproc-per-node must be at least 1, got " + nprocPerNode);
        }
        if (nprocPerNode > MAX_PROCS_PER_NODE) {
            throw new UserInputException("--nproc-per-node " + nprocPerNode + ": at most " + MAX_PROCS_PER_NODE
                    + " workers per host (one per GPU)");
        }
        if ((long) nnodes * nprocPerNode > Cluster.MAX_DEVICES) {
            throw new UserInputException("--nnodes " + nnodes + " x --nproc-per-node " + nprocPerNode + " make " + (long) nnodes * nprocPerNode
                    + " ranks; at most " + Cluster.MAX_DEVICES);
        }
        if (masterPort < 0 || masterPort > 65535) {
            throw new UserInputException("--master-port " + masterPort + " is not a TCP port (1-65535)");
        }
        if (masterPort == 0 && nnodes > 1) {
            throw new UserInputException("--master-port 0 (any free port) works on one host only: with --nnodes " + nnodes
                    + " every host must be given the same port");
        }
        if (masterAddr.isBlank()) {
            throw new UserInputException("--master-addr is empty");
        }
        if (command.getFirst().equals("launch")) {
            throw new UserInputException("the workers' command cannot be 'launch' itself; give the command after '--', e.g. -- train");
        }
        int port = masterPort == 0 ? freePort() : masterPort;
        Launcher launcher = new Launcher(nnodes, nodeRank, nprocPerNode, masterAddr.strip(), port);
        spec.commandLine().getErr().printf("alpa4j launch: node %d of %d starting ranks %d..%d of %d, rendezvous %s:%d%n", nodeRank, nnodes,
                nodeRank * nprocPerNode, (nodeRank + 1) * nprocPerNode - 1, launcher.worldSize(), masterAddr, port);
        spec.commandLine().getErr().flush();
        return launcher.run(JavaCommand.cli().with(command), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** A port nothing listens on now (rank 0 binds it moments later; another program could take it in between). */
    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UserInputException("cannot find a free port for the rendezvous: " + e.getMessage() + "; give --master-port");
        }
    }
}
