package io.github.alpa4j.energy.model;

import java.util.List;
import java.util.Optional;

/**
 * What the energy model knows about a GPU: its datasheet and its fitted power curve
 * ({@link DvfsEnergyModel} has the equations), and what those numbers rest on. The A100 and A40
 * presets are {@code alpa4j energy calibrate} fits on the Perseus authors' GPT-3 profiles
 * (docs/energy-model.md has the fits and their residuals); the V100 and H100 presets carry the
 * A100 fit over to their datasheets ({@link #onDatasheet}), since no per-clock measurement of
 * either is published.
 *
 * @param datasheet the numbers that are not fitted
 * @param power the fitted power curve
 * @param basis one line saying where the numbers come from, for reports and the GPU file
 */
public record GpuSpec(GpuDatasheet datasheet, PowerCurve power, String basis) {
    /** The names {@link #preset} accepts. */
    public static final List<String> PRESETS = List.of("a100", "a40", "h100", "v100");

    private static final GpuDatasheet A100_DATASHEET = new GpuDatasheet("A100-SXM4-80GB", 312e12, 2.039e12, 210, 1410,
            15, 500, 83.64);
    private static final GpuDatasheet A40_DATASHEET = new GpuDatasheet("A40", 149.7e12, 696e9, 210, 1740, 15, 300,
            70.38);
    private static final GpuDatasheet V100_DATASHEET = new GpuDatasheet("V100-SXM2-32GB", 125e12, 900e9, 135, 1530,
            15, 300, 55);
    private static final GpuDatasheet H100_DATASHEET = new GpuDatasheet("H100-SXM5-80GB", 790e12, 3.0e12, 345, 1980,
            15, 700, 100);

    public GpuSpec {
        if (power.kneeClockMhz() >= datasheet.maxClockMhz() || power.capWatts() <= datasheet.staticWatts()) {
            throw new IllegalArgumentException("GPU " + datasheet.name() + ": the voltage knee (" + power.kneeClockMhz()
                    + " MHz) must lie below the highest clock and the power cap (" + power.capWatts()
                    + " W) above the static power");
        }
        if (basis == null || basis.isBlank()) {
            throw new IllegalArgumentException("GPU " + datasheet.name() + ": say what its numbers rest on");
        }
    }

    public String name() {
        return datasheet.name();
    }

    public int minClockMhz() {
        return datasheet.minClockMhz();
    }

    public int maxClockMhz() {
        return datasheet.maxClockMhz();
    }

    public int clockStepMhz() {
        return datasheet.clockStepMhz();
    }

    public double staticWatts() {
        return datasheet.staticWatts();
    }

    /**
     * This GPU's fitted power curve carried over to another GPU's datasheet: the knee stays at the
     * same clock in MHz with the same voltage floor (the A100 and A40 fits put it within 10 % of
     * each other in MHz, not in fractions of their very different boost clocks), while the SM power
     * at the knee, the memory power and the cap scale with the power limit.
     */
    public GpuSpec onDatasheet(GpuDatasheet target) {
        double scale = target.powerLimitWatts() / datasheet.powerLimitWatts();
        double knee = Math.min(Math.max(power.kneeClockMhz(), target.minClockMhz()),
                target.maxClockMhz() - target.clockStepMhz());
        double kneeDynamic = power.smDynamicWatts() * power.kneeClockMhz() / datasheet.maxClockMhz()
                * power.kneeVoltage() * power.kneeVoltage();
        double smDynamic = scale * kneeDynamic / (knee / target.maxClockMhz() * power.kneeVoltage() * power.kneeVoltage());
        PowerCurve moved = new PowerCurve(smDynamic, scale * power.memoryWatts(), knee, power.kneeVoltage(),
                Math.max(scale * power.capWatts(), target.staticWatts() + 1));
        return new GpuSpec(target, moved, "the power curve of " + name() + " (" + basis + ") on the datasheet of "
                + target.name());
    }

    /** A preset by its short name ({@link #PRESETS}), or empty. */
    public static Optional<GpuSpec> preset(String shortName) {
        return switch (shortName) {
            case "a100" -> Optional.of(a100Sxm());
            case "a40" -> Optional.of(a40());
            case "h100" -> Optional.of(h100Sxm());
            case "v100" -> Optional.of(v100Sxm());
            default -> Optional.empty();
        };
    }

    /**
     * NVIDIA A100 SXM4 80 GB. Datasheet: 312 TFLOP/s dense bf16 at the 1410 MHz boost clock,
     * 2039 GB/s HBM2e, SM clocks 210–1410 MHz in 15 MHz steps; power limit 500 W, the HGX A100
     * 80 GB configuration's (the standard SXM4 part is 400 W, but the measured profile draws up to
     * 480 W). Static power: the 83.64 W Perseus measured while blocked. Power curve: fitted on the
     * Perseus GPT-3 175B A100 profile (docs/energy-model.md).
     */
    public static GpuSpec a100Sxm() {
        return new GpuSpec(A100_DATASHEET, new PowerCurve(422.0, 0, 1090.7, 0.781, 476.5),
                "fitted on the Perseus GPT-3 175B A100 SXM profile (docs/energy-model.md)");
    }

    /**
     * NVIDIA A40 48 GB. Datasheet: 149.7 TFLOP/s dense bf16 at the 1740 MHz boost clock, 696 GB/s
     * GDDR6, SM clocks 210–1740 MHz in 15 MHz steps, 300 W. Static power: the 70.38 W Perseus
     * measured while blocked. Power curve: fitted on the Perseus GPT-3 175B A40 profile.
     */
    public static GpuSpec a40() {
        return new GpuSpec(A40_DATASHEET, new PowerCurve(310.2, 0, 1174.1, 0.828, 294.5),
                "fitted on the Perseus GPT-3 175B A40 profile (docs/energy-model.md)");
    }

    /**
     * NVIDIA V100 SXM2 32 GB. Datasheet: 125 TFLOP/s fp16 tensor at the 1530 MHz boost clock,
     * 900 GB/s HBM2, 300 W, SM clocks from 135 MHz (the driver's steps are about 7.5 MHz; 15 MHz
     * keeps whole megahertz). Static 55 W is an assumption. No per-clock V100 profile is published:
     * the power curve is the A100 fit carried over ({@link #onDatasheet}).
     */
    public static GpuSpec v100Sxm() {
        return a100Sxm().onDatasheet(V100_DATASHEET);
    }

    /**
     * NVIDIA H100 SXM5 80 GB, with measured rather than datasheet throughput (REFERENCES.md §4):
     * about 790 TFLOP/s dense bf16 (datasheet 989) and 3.0 TB/s HBM3 copy bandwidth (datasheet
     * 3.35); 1980 MHz boost, SM clocks from 345 MHz in 15 MHz steps, 700 W. Static 100 W is an
     * assumption. No per-clock H100 profile is published: the power curve is the A100 fit carried
     * over ({@link #onDatasheet}).
     */
    public static GpuSpec h100Sxm() {
        return a100Sxm().onDatasheet(H100_DATASHEET);
    }
}
