package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.UserInputException;
import org.junit.jupiter.api.Test;

/** {@code train --devices}: the list of GPUs read and refused as a user would mistype it. */
class TrainDevicesTest {
    private static int[] parse(String devices, int planDevices) {
        TrainCommand c = new TrainCommand();
        c.devices = devices;
        return c.gpuOrdinals(planDevices);
    }

    @Test
    void oneGpuPerPlanDeviceInTheGivenOrder() {
        assertThat(parse("2, 0,1,3", 4)).containsExactly(2, 0, 1, 3);
        assertThat(parse(null, 4)).isNull();
    }

    @Test
    void malformedRepeatedOrMismatchedListsAreRefused() {
        assertThatThrownBy(() -> parse("0,x", 2)).isInstanceOf(UserInputException.class)
                .hasMessage("--devices '0,x': 'x' is not a GPU number (give e.g. 0,1,2,3)");
        assertThatThrownBy(() -> parse("0,0", 2)).isInstanceOf(UserInputException.class).hasMessage("--devices '0,0': GPU 0 is listed twice");
        assertThatThrownBy(() -> parse("-1", 1)).isInstanceOf(UserInputException.class).hasMessage("--devices '-1': GPU -1 is negative");
        assertThatThrownBy(() -> parse("0,1", 4)).isInstanceOf(UserInputException.class)
                .hasMessage("--devices lists 2 GPUs but the plan has 4 devices: list one GPU per device");
    }

    @Test
    void devicesWithoutTheCudaBackendIsRefusedInOneLine() {
        MainTest.Run r = MainTest.run("train", "--mesh", "1x2", "--devices", "0,1", "--steps", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("alpa4j: --devices selects GPUs: it needs --backend cuda\n");
    }
}
