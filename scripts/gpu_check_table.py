#!/usr/bin/env python3
"""Builds gpu-check.sh's one markdown table from what its parts left behind: the GPU and doctor
output, the JUnit XML report of the "gpu" test group and the GPUCHECK lines the tests printed, and
the BENCH lines of the alpa4j and PyTorch benchmarks."""
import argparse
import collections
import datetime
import os
import re
import xml.etree.ElementTree as ET


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def cell(text):
    return " ".join(str(text).replace("|", "/").split())


def first_line(text):
    """The first line of a report message, without the exception's class name."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return re.sub(r"^(parent was skipped: )?[\w.$]+(Exception|Error): ", "", line)


def bench_lines(text, source):
    """{(precision, attention): {key: value}} from BENCH|source|precision|k=v|... lines."""
    out = {}
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) < 3 or parts[0] != "BENCH" or parts[1] != source:
            continue
        kv = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
        out[(parts[2], kv.get("attention", ""))] = kv
    return out


def test_rows(junit_path):
    """One row per test class (counts), plus one per failed or skipped case (its message)."""
    rows = []
    if not os.path.exists(junit_path):
        return [("gpu test group", "NOT RUN", "no JUnit report (the run failed or timed out: see tests.log)")]
    root = ET.parse(junit_path).getroot()
    by_class = collections.OrderedDict()
    for case in root.iter("testcase"):
        cls = case.get("classname", "?").rsplit(".", 1)[-1]
        state, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                state = "skipped" if child.tag == "skipped" else "failed"
                message = first_line(child.get("message") or child.text or "")
        entry = by_class.setdefault(cls, {"passed": 0, "failed": 0, "skipped": 0, "time": 0.0, "notes": []})
        entry[state] += 1
        entry["time"] += float(case.get("time") or 0)
        if state != "passed":
            entry["notes"].append((case.get("name", "?"), state, message))
    for cls, e in by_class.items():
        result = "FAIL" if e["failed"] else ("SKIP" if e["skipped"] and not e["passed"] else "PASS")
        counts = f'{e["passed"]} passed, {e["failed"]} failed, {e["skipped"]} skipped, {e["time"]:.1f} s'
        rows.append((f"tests: {cls}", result, counts))
        shown = 0
        for name, state, message in e["notes"]:
            if state == "skipped" and shown >= 1 and e["failed"] == 0:
                continue  # one skip reason per class is enough
            rows.append((f"↳ {cls}.{name}", state.upper(), message[:300]))
            shown += 1
    return rows


def main():
    p = argparse.ArgumentParser()
    for name in ("gpu", "doctor", "junit", "tests-log", "engine", "pytorch"):
        p.add_argument("--" + name, default="")
    p.add_argument("--seconds", default="?")
    a = p.parse_args()

    gpu = read(a.gpu).strip().splitlines()
    gpu = gpu[0] if gpu and "," in gpu[0] else "no GPU listed by nvidia-smi"
    verdict = next((l.split("verdict:", 1)[1].strip() for l in read(a.doctor).splitlines() if "verdict:" in l), "doctor did not run")

    rows = [("doctor", "PASS" if verdict.startswith("ready") else "FAIL", verdict)]
    rows += test_rows(a.junit)

    measured = collections.OrderedDict()
    for line in read(a.tests_log).splitlines():
        parts = line.strip().split("|")
        if len(parts) == 4 and parts[0] == "GPUCHECK":
            measured.setdefault(parts[1], []).append(f"{parts[2]} {parts[3]}")
    for check, values in measured.items():
        rows.append((f"measured: {check}", "", "; ".join(values)))

    engine = bench_lines(read(a.engine), "engine")
    torch = bench_lines(read(a.pytorch), "pytorch")
    for prec in ("fp32", "tf32", "bf16"):
        e = engine.get((prec, ""))
        math_ = torch.get((prec, "math"))
        sdpa = torch.get((prec, "sdpa"))
        if e is None:
            rows.append((f"throughput {prec}", "NOT RUN", "no alpa4j benchmark line (see bench-engine.log)"))
            continue
        tps = float(e["tokens_per_s"])
        parts = [f'alpa4j {tps:,.0f} tokens/s (step {float(e["step_ms"]):.1f} ms)']
        result = "measured"
        if math_:
            pt = float(math_["tokens_per_s"])
            parts.append(f"PyTorch eager {pt:,.0f} (same attention)")
            result = f"{tps / pt:.2f}x PyTorch"
        if sdpa:
            parts.append(f'{float(sdpa["tokens_per_s"]):,.0f} (SDPA attention)')
        rows.append((f"throughput {prec}, 12-layer GPT", result, "; ".join(parts)))
        rows.append((f"matmuls {prec}, 12-layer GPT", f'{float(e["matmul_tflops"]) / float(e["peak_tflops"]):.0%} of peak',
                     f'{e["matmuls"]} products, {float(e["matmul_gflop"]):,.0f} GFLOP per step: {float(e["matmul_tflops"]):.1f} TFLOP/s '
                     f'in the step, {float(e["alone_tflops"]):.1f} for the same shapes alone, {float(e["peak_tflops"]):.1f} on 8192³; '
                     f'{float(e["matmul_share"]):.0%} of the step; first loss {e["first_loss"]}, '
                     f'pool mallocs after warm-up {e["mallocs_after_warmup"]}'))

    print(f"## alpa4j GPU check, {datetime.date.today().isoformat()}: {cell(gpu)}")
    print()
    print(f"12-layer GPT: hidden 768, 12 heads, seq 1024, vocabulary 1024, batch 8, AdamW; {a.seconds} s in all.")
    print()
    print("| check | result | numbers |")
    print("|---|---|---|")
    for check, result, numbers in rows:
        print(f"| {cell(check)} | {cell(result)} | {cell(numbers)} |")


if __name__ == "__main__":
    main()
