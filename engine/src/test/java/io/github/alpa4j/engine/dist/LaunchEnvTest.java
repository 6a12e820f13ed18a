package io.github.alpa4j.engine.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.UserInputException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LaunchEnvTest {
    /** "K=V;K=V" as a map. */
    static Map<String, String> env(String spec) {
        Map<String, String> m = new HashMap<>();
        for (String kv : spec.split(";")) {
            if (!kv.isBlank()) {
                String[] p = kv.split("=", 2);
                m.put(p[0].strip(), p[1]);
            }
        }
        return m;
    }

    @Test
    void noLauncherMeansOneProcess() {
        assertThat(LaunchEnv.detect(env("PATH=/bin;HOME=/root"))).isEmpty();
        assertThatThrownBy(() -> LaunchEnv.require(env(""), "rendezvous-check"))
                .isInstanceOf(UserInputException.class).hasMessageContaining("alpa4j launch");
    }

    @Test
    void torchrunVariables() {
        LaunchEnv e = LaunchEnv.detect(env("RANK=3;WORLD_SIZE=4;LOCAL_RANK=1;MASTER_ADDR=host0;MASTER_PORT=1234")).orElseThrow();
        assertThat(e).isEqualTo(new LaunchEnv(3, 4, 1, "host0", 1234, "torchrun"));
        assertThat(e.distributed()).isTrue();
    }

    @Test
    void openMpiVariablesWithTheRendezvousGivenByHand() {
        LaunchEnv e = LaunchEnv.detect(env("OMPI_COMM_WORLD_RANK=5;OMPI_COMM_WORLD_SIZE=8;OMPI_COMM_WORLD_LOCAL_RANK=1;"
                + "MASTER_ADDR=10.0.0.7;MASTER_PORT=40000")).orElseThrow();
        assertThat(e).isEqualTo(new LaunchEnv(5, 8, 1, "10.0.0.7", 40000, "openmpi"));
    }

    @Test
    void slurmTakesRankZerosHostFromTheNodeList() {
        LaunchEnv e = LaunchEnv.detect(env("SLURM_PROCID=2;SLURM_NTASKS=4;SLURM_LOCALID=0;SLURM_NODELIST=gpu[07-08,11]")).orElseThrow();
        assertThat(e).isEqualTo(new LaunchEnv(2, 4, 0, "gpu07", LaunchEnv.DEFAULT_PORT, "slurm"));
        LaunchEnv given = LaunchEnv.detect(env("SLURM_PROCID=1;SLURM_NTASKS=2;SLURM_LOCALID=1;SLURM_NODELIST=a1;"
                + "MASTER_ADDR=login;MASTER_PORT=2000")).orElseThrow();
        assertThat(given.masterAddr()).isEqualTo("login");
        assertThat(given.masterPort()).isEqualTo(2000);
    }

    @Test
    void explicitRankWinsOverOpenMpiWhichWinsOverSlurm() {
        Map<String, String> all = env("SLURM_PROCID=0;SLURM_NTASKS=1;SLURM_LOCALID=0;SLURM_NODELIST=n1;"
                + "OMPI_COMM_WORLD_RANK=1;OMPI_COMM_WORLD_SIZE=2;OMPI_COMM_WORLD_LOCAL_RANK=1;MASTER_ADDR=h;MASTER_PORT=9");
        assertThat(LaunchEnv.detect(all).orElseThrow().launcher()).isEqualTo("openmpi");
        all.putAll(env("RANK=0;WORLD_SIZE=3;LOCAL_RANK=0"));
        assertThat(LaunchEnv.detect(all).orElseThrow()).isEqualTo(new LaunchEnv(0, 3, 0, "h", 9, "torchrun"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gpu[07-08,11]      | gpu07",
        "node7,node8        | node7",
        "a[1-4],b[2-3]      | a1",
        "rack1-[003-010]-ib | rack1-003-ib",
        "single             | single"})
    void firstHostOfASlurmHostList(String list, String first) {
        assertThat(LaunchEnv.firstHost(list, "SLURM_NODELIST")).isEqualTo(first);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "RANK=2;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=1             | RANK=2 must be in 0..1 (WORLD_SIZE=2)",
        "RANK=-1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=1            | RANK=-1 must be in 0..1",
        "RANK=0;WORLD_SIZE=0;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=1             | WORLD_SIZE=0 must be at least 1",
        "RANK=x;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=1             | RANK='x' is not a whole number",
        "RANK=1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=1                          | LOCAL_RANK is not set",
        "WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=1                    | RANK is not set",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_PORT=1                           | MASTER_ADDR is not set",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h                           | MASTER_PORT is not set",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=70000         | MASTER_PORT=70000 is not a TCP port",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=0             | MASTER_PORT=0 is not a TCP port",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=h;MASTER_PORT=http          | MASTER_PORT='http' is not a TCP port",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=2;MASTER_ADDR=h;MASTER_PORT=1             | LOCAL_RANK=2 must be between 0 and the rank (1)",
        "RANK=1;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR= ;MASTER_PORT=1             | MASTER_ADDR) is empty",
        "OMPI_COMM_WORLD_RANK=1;OMPI_COMM_WORLD_SIZE=2;OMPI_COMM_WORLD_LOCAL_RANK=0 | set MASTER_ADDR to the host of rank 0",
        "OMPI_COMM_WORLD_RANK=4;OMPI_COMM_WORLD_SIZE=4;OMPI_COMM_WORLD_LOCAL_RANK=0;MASTER_ADDR=h | OMPI_COMM_WORLD_RANK=4 must be in 0..3",
        "SLURM_PROCID=1;SLURM_NTASKS=2;SLURM_LOCALID=0                            | neither MASTER_ADDR nor SLURM_NODELIST",
        "SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_LOCALID=0;SLURM_NODELIST=gpu[x-y]    | cannot read the host list",
        "SLURM_PROCID=0;SLURM_LOCALID=0;SLURM_NODELIST=n1                         | SLURM_NPROCS is not set"})
    void missingOrInconsistentValuesAreOneLineErrors(String vars, String message) {
        assertThatThrownBy(() -> LaunchEnv.detect(env(vars)))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
