package io.github.alpa4j.energy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrequencyControllerTest {
    private static final int[] A100 = {1410, 1395, 1380, 1200, 1005, 810};
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    static FrequencyPlan plan(Object... idMhz) {
        List<FrequencyPlan.Step> steps = new ArrayList<>();
        for (int i = 0; i < idMhz.length; i += 2) {
            steps.add(new FrequencyPlan.Step((String) idMhz[i], (Integer) idMhz[i + 1]));
        }
        return new FrequencyPlan(steps);
    }

    @Test
    void appliesThePlanInInstructionOrderOffTheCallingThreadAndResetsOnClose() {
        RecordingClocks gpu = new RecordingClocks(A100);
        FrequencyPlan p = plan("F(0,0)", 1410, "F(0,1)", 1200, "B(0,0)", 1005, "B(0,1)", 1395);
        try (FrequencyController c = FrequencyController.open(gpu, p, true, log::add)) {
            for (String id : List.of("F(0,0)", "F(0,1)", "B(0,0)", "B(0,1)")) {
                c.onInstruction(id);
            }
            c.awaitApplied();
            assertThat(gpu.calls()).containsExactly("set 1410", "set 1200", "set 1005", "set 1395");
            assertThat(gpu.currentGraphicsClockMhz()).isEqualTo(1395);
        }
        assertThat(gpu.calls()).containsExactly("set 1410", "set 1200", "set 1005", "set 1395", "reset");
    }

    @Test
    void aReplanTakesEffectFromTheNextInstructionAndAnUnsupportedOneIsRefused() {
        RecordingClocks gpu = new RecordingClocks(A100);
        try (FrequencyController c = FrequencyController.open(gpu, plan("F(0,0)", 1410, "B(0,0)", 1200), true, log::add)) {
            c.onInstruction("F(0,0)");
            c.onInstruction("B(0,0)");
            c.replan(plan("F(0,0)", 1005, "B(0,0)", 810));
            c.onInstruction("F(0,0)");
            c.onInstruction("B(0,0)");
            assertThatThrownBy(() -> c.replan(plan("F(0,0)", 1300, "B(0,0)", 810))).isInstanceOf(ClockControlException.class)
                    .hasMessageContaining("1300 MHz");
            assertThat(c.plan().mhz("F(0,0)")).hasValue(1005);
            c.onInstruction("F(0,0)");
            c.awaitApplied();
        }
        assertThat(gpu.calls()).containsExactly("set 1410", "set 1200", "set 1005", "set 810", "set 1005", "reset");
    }

    @Test
    void theSameClockTwiceInARowIsSetOnce() {
        RecordingClocks gpu = new RecordingClocks(A100);
        try (FrequencyController c = FrequencyController.open(gpu, plan("a", 1200, "b", 1200, "c", 810), true, log::add)) {
            c.onInstruction("a");
            c.onInstruction("b");
            c.onInstruction("c");
            c.onInstruction("a");
        }
        assertThat(gpu.calls()).containsExactly("set 1200", "set 810", "set 1200", "reset");
    }

    @Test
    void anUnsupportedFrequencyIsRefusedBeforeAnythingIsSet() {
        RecordingClocks gpu = new RecordingClocks(A100);
        assertThatThrownBy(() -> FrequencyController.open(gpu, plan("F(0,0)", 1410, "B(0,0)", 1300), true, log::add))
                .isInstanceOf(ClockControlException.class)
                .hasMessage("the frequency plan runs B(0,0) at 1300 MHz, which GPU 0 does not support "
                        + "(it supports 6 clocks from 810 to 1410 MHz; nearest: 1200 or 1380 MHz)");
        assertThatThrownBy(() -> FrequencyController.dryRun(gpu, plan("x", 2000), log::add))
                .hasMessageContaining("2000 MHz").hasMessageContaining("nearest: 1410 MHz)");
        assertThat(gpu.calls()).isEmpty();
    }

    @Test
    void withoutPrivilegesApplyingIsRefusedAndNothingIsSet() {
        RecordingClocks gpu = new RecordingClocks(A100, false, mhz -> false);
        assertThatThrownBy(() -> FrequencyController.open(gpu, plan("F(0,0)", 1410), true, log::add))
                .isInstanceOf(ClockControlException.class)
                .hasMessage("setting GPU clocks needs root or CAP_SYS_ADMIN: run with those privileges, "
                        + "or without --apply-clocks to only report the plan");
        assertThat(gpu.calls()).isEmpty();
    }

    @Test
    void aFailureMidRunResetsTheClocksAndStopsTheController() {
        RecordingClocks gpu = new RecordingClocks(A100, true, mhz -> mhz == 1005);
        FrequencyController c = FrequencyController.open(gpu, plan("a", 1410, "b", 1005, "c", 810), true, log::add);
        try {
            c.onInstruction("a");
            c.onInstruction("b");
            try {
                c.onInstruction("c"); // queued behind the failing one: must not be applied after the reset
            } catch (ClockControlException e) {
                // the controller's thread failed on "b" before "c" was queued: refused at once, as after any failure
                assertThat(e).hasMessageContaining("clock control stopped after a failure");
            }
            c.awaitApplied();
            assertThat(gpu.calls()).containsExactly("set 1410", "set 1005", "reset");
            assertThat(c.failure()).hasMessage("driver refused 1005 MHz");
            assertThatThrownBy(() -> c.onInstruction("a")).isInstanceOf(ClockControlException.class)
                    .hasMessageContaining("clock control stopped after a failure (clocks reset): driver refused 1005 MHz");
            assertThat(log).anyMatch(l -> l.contains("setting GPU 0 to 1005 MHz failed"));
        } finally {
            c.close();
        }
        assertThat(gpu.count("reset")).as("close after the failure's reset does not reset again").isEqualTo(1);
    }

    @Test
    void closeResetsExactlyOnceHoweverOftenItIsCalled() {
        RecordingClocks gpu = new RecordingClocks(A100);
        FrequencyController c = FrequencyController.open(gpu, plan("a", 810), true, log::add);
        c.onInstruction("a");
        c.close();
        c.close();
        assertThat(gpu.calls()).containsExactly("set 810", "reset");
        assertThatThrownBy(() -> c.onInstruction("a")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theShutdownHookResetsAndCloseThenDoesNotRepeatIt() {
        RecordingClocks gpu = new RecordingClocks(A100);
        FrequencyController c = FrequencyController.open(gpu, plan("a", 810), true, log::add);
        c.onInstruction("a");
        c.awaitApplied();
        c.shutdownHook().run();
        assertThat(gpu.calls()).containsExactly("set 810", "reset");
        c.close();
        assertThat(gpu.count("reset")).isEqualTo(1);
    }

    @Test
    void dryRunNeverCallsASetterAndSaysWhatItWouldDo() {
        RecordingClocks gpu = new RecordingClocks(A100, false, mhz -> true); // no privilege, and every set would fail
        try (FrequencyController c = FrequencyController.dryRun(gpu, plan("F(0,0)", 1410, "B(0,0)", 810), log::add)) {
            c.onInstruction("F(0,0)");
            c.onInstruction("B(0,0)");
            c.awaitApplied();
            assertThat(c.failure()).isNull();
        }
        assertThat(gpu.calls()).isEmpty();
        assertThat(log).containsExactly("would set GPU 0 to 1410 MHz", "would set GPU 0 to 810 MHz", "would reset GPU 0's clocks");
    }

    @Test
    void anInstructionOutsideThePlanIsAProgrammingError() {
        try (FrequencyController c = FrequencyController.dryRun(new RecordingClocks(A100), plan("a", 810), log::add)) {
            assertThatThrownBy(() -> c.onInstruction("zz")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zz");
        }
    }

    @Test
    void aPlanNamesEachInstructionOnce() {
        assertThatThrownBy(() -> plan("a", 810, "a", 1005)).hasMessageContaining("a appears twice");
    }

    @Test
    void privilegesComeFromTheEffectiveUidOrCapSysAdmin() {
        assertThat(Privileges.fromProcStatus("Name:\tjava\nUid:\t1000\t0\t0\t0\nCapEff:\t0000000000000000\n")).isTrue();
        assertThat(Privileges.fromProcStatus("Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000200000\n")).isTrue();
        assertThat(Privileges.fromProcStatus("Uid:\t1000\t1000\t1000\t1000\nCapEff:\t00000000001fffff\n")).isFalse();
        assertThat(Privileges.fromProcStatus("Uid:\t0\t1000\t1000\t1000\nCapEff:\t0000000000000000\n")).isFalse();
    }
}
