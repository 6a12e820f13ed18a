package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import java.util.HashSet;
import java.util.Set;

/** The GPU ordinals a {@code --devices} flag lists ("0,1,2,3"). */
final class DeviceList {
    private DeviceList() {
    }

    /**
     * The ordinals in the order listed, or null when the flag was not given.
     *
     * @throws UserInputException when the list is malformed, has a negative number or repeats a GPU
     */
    static int[] parse(String devices) {
        if (devices == null) {
            return null;
        }
        String[] parts = devices.split(",", -1);
        int[] ordinals = new int[parts.length];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            try {
                ordinals[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new UserInputException("--devices '" + devices + "': '" + parts[i] + "' is not a GPU number (give e.g. 0,1,2,3)");
            }
            if (ordinals[i] < 0 || !seen.add(ordinals[i])) {
                throw new UserInputException("--devices '" + devices + "': GPU " + ordinals[i] + (ordinals[i] < 0 ? " is negative" : " is listed twice"));
            }
        }
        return ordinals;
    }
}
