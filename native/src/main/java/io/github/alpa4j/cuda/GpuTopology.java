package io.github.alpa4j.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How the GPUs of this host are connected, read through NVML without changing anything: for every
 * two devices the NVLinks between them ({@code NV4}: four links) or else the PCIe path
 * ({@link NvmlDevice#pcieLevel}), as {@code nvidia-smi topo -m} prints it.
 *
 * @param names one per device, by NVML index
 * @param links links[i][j]: {@code X} on the diagonal, {@code NV<k>}, or a PCIe level
 */
public record GpuTopology(List<String> names, List<List<String>> links) {
    public GpuTopology {
        names = List.copyOf(names);
        links = links.stream().map(List::copyOf).toList();
    }

    /** Reads every device's links; needs the driver (NVML). */
    public static GpuTopology read(Nvml nvml) {
        int n = nvml.deviceCount();
        List<NvmlDevice> devs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> buses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NvmlDevice d = nvml.device(i);
            devs.add(d);
            names.add(d.name());
            buses.add(d.pciBusId());
        }
        List<List<String>> links = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> peers = devs.get(i).nvLinkPeers();
            List<String> row = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    row.add("X");
                    continue;
                }
                int nv = Collections.frequency(peers, buses.get(j));
                row.add(nv > 0 ? "NV" + nv : devs.get(i).pcieLevel(devs.get(j)));
            }
            links.add(row);
        }
        return new GpuTopology(names, links);
    }

    /** The matrix as text, one row per GPU, as nvidia-smi topo -m lays it out. */
    public String render() {
        StringBuilder sb = new StringBuilder("      ");
        for (int j = 0; j < names.size(); j++) {
            sb.append(String.format("%-6s", "GPU" + j));
        }
        sb.append('\n');
        for (int i = 0; i < names.size(); i++) {
            sb.append(String.format("%-6s", "GPU" + i));
            for (String l : links.get(i)) {
                sb.append(String.format("%-6s", l));
            }
            sb.append(names.get(i)).append('\n');
        }
        return sb.toString();
    }
}
