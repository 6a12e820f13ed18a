package io.github.alpa4j.energy.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process may lock GPU clocks: NVML wants root or CAP_SYS_ADMIN. */
final class Privileges {
    /** Bit of CAP_SYS_ADMIN in the capability masks of /proc/PID/status. */
    private static final int CAP_SYS_ADMIN = 21;

    private Privileges() {
    }

    /** From this process's /proc/self/status; false where it cannot be read. */
    static boolean current() {
        try {
            return fromProcStatus(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Effective uid 0, or CAP_SYS_ADMIN in the effective capabilities. */
    static boolean fromProcStatus(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).strip().split("\\s+");
                if (f.length > 1 && f[1].equals("0")) {
                    return true;
                }
            } else if (line.startsWith("CapEff:")) {
                long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                if ((caps >>> CAP_SYS_ADMIN & 1) != 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
