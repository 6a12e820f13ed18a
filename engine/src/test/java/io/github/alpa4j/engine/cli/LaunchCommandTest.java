package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code alpa4j launch} starting real worker JVMs on loopback. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LaunchCommandTest {
    @Test
    void twoWorkersRendezvousAndAgreeOnOneId() {
        MainTest.Run r = MainTest.run("launch", "--nproc-per-node", "2", "--master-port", "0", "--", "rendezvous-check", "--timeout", "60");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        Pattern line = Pattern.compile("\\[rank (\\d)] rank \\1 of 2 \\(local \\1, torchrun\\): rendezvous at 127\\.0\\.0\\.1:\\d+ ok; "
                + "random id sha256 ([0-9a-f]{16}) agreed by all 2 ranks");
        Matcher m = line.matcher(r.out());
        String[] digests = new String[2];
        while (m.find()) {
            digests[Integer.parseInt(m.group(1))] = m.group(2);
        }
        assertThat(digests).as(r.out()).doesNotContainNull();
        assertThat(digests[0]).isEqualTo(digests[1]);
        assertThat(r.err()).contains("rendezvous 127.0.0.1:");
    }

    @Test
    void theFirstFailingWorkersCodeIsLaunchsCode() {
        MainTest.Run r = MainTest.run("launch", "--nproc-per-node", "2", "--master-port", "0", "--", "rendezvous-check", "--timeout", "-1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).containsPattern("\\[rank [01]] alpa4j: --timeout must be positive, got -1.0")
                .containsPattern("alpa4j launch: rank [01] exited with code 2");
    }

    @Test
    void trainingOneDeviceUnderALauncherIsRefused() {
        MainTest.Run r = MainTest.run("launch", "--nproc-per-node", "2", "--master-port", "0", "--", "train", "--backend", "cpu", "--steps", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("alpa4j: one device needs one process, not 2: under a launcher give --mesh ROWSxCOLS");
    }

    @Test
    void cudaTrainingWithoutAGpuIsRefusedOnEveryRank() {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.github.alpa4j.cuda.Gpu.probe().available(),
                "this machine has a GPU: the refusal without one cannot be seen here");
        MainTest.Run r = MainTest.run("launch", "--nproc-per-node", "2", "--master-port", "0", "--",
                "train", "--backend", "cuda", "--mesh", "1x2", "--steps", "1", "--rendezvous-timeout", "60");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).containsPattern("\\[rank [01]] alpa4j: --backend cuda: ");
    }
}
