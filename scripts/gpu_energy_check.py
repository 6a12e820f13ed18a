#!/usr/bin/env python3
"""Compares the NVML energy monitor's average power (train --energy JSON) with nvidia-smi's power
readings taken over the same wall-clock window; prints a small markdown section for the GPU check.
Usage: gpu_energy_check.py TRAIN.json SMI.csv   (SMI.csv lines: unix_ms,watts)"""
import json
import sys


def main(train_json, smi_csv):
    try:
        j = json.load(open(train_json))
        start, end = j["energy_window_unix_ms"]
        nvml = float(j["avg_power_w"])
        per_step = float(j["energy_j_per_iteration"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        return f"| energy | not measured: {type(e).__name__} {e} | | |"
    inside = []
    for line in open(smi_csv):
        parts = line.strip().split(",", 1)
        if len(parts) != 2:
            continue
        try:
            t, w = int(parts[0]), float(parts[1])
        except ValueError:
            continue  # [N/A] or an error line
        if start <= t <= end:
            inside.append(w)
    if not inside:
        return f"| energy | NVML monitor {nvml:.1f} W; no nvidia-smi sample inside the {(end - start) / 1000:.1f} s window | | |"
    smi = sum(inside) / len(inside)
    diff = 100.0 * (nvml - smi) / smi
    verdict = "PASS" if abs(diff) <= 10 else "FAIL"
    return (f"| energy | NVML monitor {nvml:.1f} W ({per_step:.2f} J/step) vs nvidia-smi {smi:.1f} W "
            f"({len(inside)} samples over the same {(end - start) / 1000:.1f} s) | {diff:+.1f} % | {verdict} (within 10 %) |")


if __name__ == "__main__":
    print("\n| check | measured | difference | verdict |\n|---|---|---|---|")
    print(main(sys.argv[1], sys.argv[2]))
