package io.github.alpa4j.energy.model;

/**
 * What the energy model needs to know about a GPU.
 *
 * <p>Power draw is modelled as {@code P = P_static + P_sm · (f/f_max) · (V(f)/V_max)² · u_sm
 * + P_memory · u_memory} ({@link DvfsEnergyModel}); the preset values below are datasheet
 * figures where NVIDIA publishes them and stated assumptions where it does not. Only ratios
 * between clocks shape a frontier, so a preset that is off by a constant factor still ranks
 * frequencies correctly; measure ({@code --profile}) when absolute joules matter.
 *
 * @param name for reports
 * @param peakFlopsPerSecond dense tensor-core throughput at the highest SM clock (bf16/fp16)
 * @param memoryBandwidthBytesPerSecond device-memory bandwidth, independent of the SM clock
 * @param minClockMhz lowest SM clock the driver accepts
 * @param maxClockMhz highest (boost) SM clock
 * @param clockStepMhz spacing of supported SM clocks
 * @param staticWatts power drawn whatever runs (leakage, fans, board); about what the GPU draws
 *     while blocked on communication, P_block
 * @param smDynamicWatts switching power of fully busy SMs at the highest clock and voltage
 * @param memoryWatts power of device memory and its controllers when fully busy
 * @param minVoltageFraction core voltage at the lowest clock relative to the highest; voltage is
 *     taken linear in clock between them (DVFS tables are close to that in the range used)
 */
public record GpuSpec(String name, double peakFlopsPerSecond, double memoryBandwidthBytesPerSecond, int minClockMhz,
                      int maxClockMhz, int clockStepMhz, double staticWatts, double smDynamicWatts, double memoryWatts,
                      double minVoltageFraction) {
    public GpuSpec {
        if (!(peakFlopsPerSecond > 0) || !(memoryBandwidthBytesPerSecond > 0) || minClockMhz <= 0
                || maxClockMhz <= minClockMhz || clockStepMhz <= 0 || staticWatts < 0 || smDynamicWatts < 0
                || memoryWatts < 0 || !(minVoltageFraction > 0) || minVoltageFraction > 1) {
            throw new IllegalArgumentException("inconsistent GPU spec " + name);
        }
    }

    /**
     * NVIDIA A100 SXM4 80 GB. Datasheet: 312 TFLOP/s dense bf16 at the 1410 MHz boost clock,
     * 2039 GB/s HBM2e, 400 W TDP; supported SM clocks 210–1410 MHz in 15 MHz steps. Static power
     * 80 W: Perseus measured 83.64 W while blocked (REFERENCES.md §3). The split of the remaining
     * 320 W (260 W SMs, 60 W memory) and the voltage at the lowest clock (0.7 of the highest) are
     * assumptions.
     */
    public static GpuSpec a100Sxm() {
        return new GpuSpec("A100-SXM4-80GB", 312e12, 2.039e12, 210, 1410, 15, 80, 260, 60, 0.7);
    }

    /**
     * NVIDIA A40 48 GB. Datasheet: 149.7 TFLOP/s dense bf16 (tensor) at the 1740 MHz boost clock,
     * 696 GB/s GDDR6, 300 W TDP; SM clocks 210–1740 MHz in 15 MHz steps. Static power 70 W
     * (Perseus measured 70.38 W blocked); 190 W SMs, 40 W memory and 0.7 voltage fraction are assumptions.
     */
    public static GpuSpec a40() {
        return new GpuSpec("A40", 149.7e12, 696e9, 210, 1740, 15, 70, 190, 40, 0.7);
    }

    /**
     * NVIDIA V100 SXM2 32 GB. Datasheet: 125 TFLOP/s fp16 tensor at the 1530 MHz boost clock,
     * 900 GB/s HBM2, 300 W TDP; SM clocks from 135 MHz. The driver's steps are about 7.5 MHz;
     * 15 MHz is used to keep whole megahertz. Static 55 W, 200 W SMs, 45 W memory and 0.7 voltage
     * fraction are assumptions.
     */
    public static GpuSpec v100Sxm() {
        return new GpuSpec("V100-SXM2-32GB", 125e12, 900e9, 135, 1530, 15, 55, 200, 45, 0.7);
    }

    /**
     * NVIDIA H100 SXM5 80 GB, with measured rather than datasheet throughput (REFERENCES.md §4):
     * about 790 TFLOP/s dense bf16 (datasheet 989) and 3.0 TB/s HBM3 copy bandwidth (datasheet
     * 3.35); 1980 MHz boost, SM clocks from 345 MHz in 15 MHz steps, 700 W TDP. Static 100 W,
     * 520 W SMs, 80 W memory and 0.7 voltage fraction are assumptions.
     */
    public static GpuSpec h100Sxm() {
        return new GpuSpec("H100-SXM5-80GB", 790e12, 3.0e12, 345, 1980, 15, 100, 520, 80, 0.7);
    }
}
