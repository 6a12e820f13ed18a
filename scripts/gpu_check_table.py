#!/usr/bin/env python3
"""Renders scripts/gpu-check.sh's result table from what its parts have left so far, at any moment: after
each part and once more on every way out. Every check has its row whether or not its part ran: a value,
or why there is none (not run yet, timed out, needs a GPU in the dry run). Writes $OUT/gpu-check.md, and
gathers the JUnit reports into $OUT/junit.xml and the train reports into $OUT/train.json.

Usage: gpu_check_table.py --work DIR --out DIR --mode gpu|dry [--seconds N] [--ended TEXT] [--print]
With --print it also prints the table. Exits 3 when a row failed, timed out or is missing."""
import argparse
import collections
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

TOLERANCE = 1e-4  # fp32 losses, relative, at every step
ENERGY_TOLERANCE = 0.10  # NVML against nvidia-smi, relative
ENERGY_MIN_WINDOW_S = 10.0
BAD = ("FAIL", "TIMEOUT", "STOPPED", "MISSING")

# (check, part, test class, test method prefixes (None: all), GPUCHECK check names whose numbers it shows)
TEST_ROWS = [
    ("kernels vs their CPU twins (fp32 1e-5, bf16 1e-2)", "tests-native", "CudaKernelsEquivalenceTest", None, ()),
    ("losses, foundation GPT, 1 GPU fp32 vs CPU (1e-4)", "tests-engine", "CudaBackendGpuTest",
     ("foundation_gpt_trains_as_on_the_cpu",), ("gpt-foundation 1 GPU fp32",)),
    ("losses, 12-layer GPT, 1 GPU fp32 vs stored CPU (1e-4)", "tests-engine", "CudaBackendGpuTest",
     ("twelve_layer_gpt_starts_at_the_cpu_loss", "twelve_layer_gpt_trains_as_on_the_cpu"), ("gpt-12x768 1 GPU fp32",)),
    ("losses, foundation GPT, 2x2 mesh on 1 GPU vs CPU (1e-4)", "tests-engine", "CudaMeshGpuTest",
     ("foundation_gpt_on_a_2x2_mesh",), ("gpt-foundation 2x2 on 1 GPU fp32",)),
    ("losses, 12-layer GPT, 2x2 mesh on 1 GPU vs 1 GPU (1e-4)", "tests-engine", "CudaMeshGpuTest",
     ("twelve_layer_gpt_on_a_2x2_mesh",), ("gpt-12x768 2x2 on 1 GPU fp32",)),
    ("losses, tf32 and bf16 matmuls near fp32", "tests-engine", "CudaBackendGpuTest", ("reduced_precision",),
     ("gpt-foundation 1 GPU tf32", "gpt-foundation 1 GPU bf16")),
    ("no cudaMalloc in a step (pool counters)", "tests-engine", "CudaBackendGpuTest", ("steps_after_the_first",),
     ("no cudaMalloc in a step",)),
]
Case = collections.namedtuple("Case", "part cls method state message")


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
    return re.sub(r"^(parent was skipped: )?(Assumption failed: )?([\w.$]+(Exception|Error): )?(Assumption failed: )?", "", line)


def sections(text):
    """{part: text} of a log whose parts start with '=== part NAME: command'."""
    out, name = collections.defaultdict(str), None
    for line in text.splitlines(keepends=True):
        m = re.match(r"=== part (\S+): ", line)
        if m:
            name = m.group(1)
        elif name:
            out[name] += line
    return out


def last_words(text, n=2):
    """The last few non-blank lines of a part's output: why it stopped."""
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.startswith(("\t", "  at ", "WARNING:"))]
    return " / ".join(lines[-n:])


class Parts:
    """What gpu-check.sh recorded: each part's limit, and for those that ended, state, exit code and seconds."""

    def __init__(self, work, ended, dry):
        self.limits = collections.OrderedDict()
        for line in read(os.path.join(work, "limits.tsv")).splitlines():
            name, limit = line.split("\t")[:2]
            self.limits[name] = int(limit)
        self.done = {}
        for line in read(os.path.join(work, "parts.tsv")).splitlines():
            f = (line.split("\t") + [""] * 6)[:6]
            self.done[f[0]] = {"state": f[1], "rc": f[2], "seconds": f[3], "limit": f[4], "note": f[5]}
        self.ended, self.dry = ended, dry

    def state(self, part):
        return self.done.get(part, {}).get("state")

    def missing(self, part):
        """(result, why) of a row whose part left nothing for it."""
        d = self.done.get(part)
        if d is None:
            return "NOT RUN", (f"the check ended before part {part}: {self.ended}" if self.ended
                               else f"part {part} has not run yet")
        if d["state"] == "timeout":
            return "TIMEOUT", f"part {part} was stopped after {d['seconds']} s (limit {d['limit']} s) before this finished"
        if d["state"] == "interrupted":
            return "STOPPED", f"part {part} was stopped by {d['note']} after {d['seconds']} s before this finished"
        if d["state"] == "skipped":
            return "NOT RUN", f"part {part} skipped: {d['note']}"
        return None


def test_cases(work, tests_log):
    """Every test case of the two test parts: from the JUnit report, or, where a part was stopped before it
    wrote one, from the test feed in tests.log (finished cases only)."""
    cases, logs = [], sections(tests_log)
    for part in ("tests-native", "tests-engine"):
        report = os.path.join(work, "junit-" + part, "TEST-junit-jupiter.xml")
        if os.path.exists(report):
            for case in ET.parse(report).getroot().iter("testcase"):
                state, message = "passed", ""
                for child in case:
                    if child.tag in ("failure", "error", "skipped"):
                        state = "skipped" if child.tag == "skipped" else "failed"
                        message = first_line(child.get("message") or child.text or "")
                cases.append(Case(part, case.get("classname", "?").rsplit(".", 1)[-1], case.get("name", "?"), state, message))
            continue
        lines, feed = logs.get(part, "").splitlines(), []
        for i, line in enumerate(lines):
            m = re.match(r"JUnit Jupiter > (.+) :: (SUCCESSFUL|FAILED|ABORTED|SKIPPED)$", line.strip())
            if m:
                message = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].startswith("\t") else ""
                feed.append((tuple(m.group(1).split(" > ")), m.group(2), first_line(message)))
        containers = {names[:k] for names, _, _ in feed for k in range(1, len(names))}
        for names, status, message in feed:
            if names not in containers:  # a class or parameterised test whose cases are listed: counted by them
                state = {"SUCCESSFUL": "passed", "FAILED": "failed"}.get(status, "skipped")
                cases.append(Case(part, names[0], names[1] if len(names) > 1 else "*", state, message))
    return cases


def test_result(cases):
    failed = [c for c in cases if c.state == "failed"]
    passed = [c for c in cases if c.state == "passed"]
    skipped = [c for c in cases if c.state == "skipped"]
    if failed:
        return "FAIL", f"{len(failed)} of {len(cases)} failed: {failed[0].method}: {failed[0].message}"[:400]
    if not passed:
        return "SKIP", skipped[0].message
    return "PASS", f"{len(passed)} passed" + (f", {len(skipped)} skipped: {skipped[0].message}" if skipped else "")


def test_rows(parts, cases, measured):
    rows, shown = [], set()
    for check, part, cls, methods, checks in TEST_ROWS:
        mine = [c for c in cases if c.cls == cls and (methods is None or c.method == "*" or c.method.startswith(methods))]
        shown.update(mine)
        if mine:
            result, numbers = test_result(mine)
        else:
            result, numbers = parts.missing(part) or ("MISSING", f"no {cls} test ran: renamed? (scripts/gpu_check_table.py)")
        values = [v for name in checks for v in measured.get(name, [])]
        rows.append((check, result, "; ".join([numbers] + values) if values else numbers))
    by_class = collections.OrderedDict()
    for c in cases:
        if c not in shown:
            by_class.setdefault(c.cls, []).append(c)
    for cls, mine in by_class.items():
        rows.append((f"other GPU tests: {cls}", *test_result(mine)))
    return rows


def bench(text, source):
    """{(precision, attention): {key: value}} from BENCH|source|precision|k=v|... lines."""
    out = {}
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) >= 3 and parts[0] == "BENCH" and parts[1] == source:
            kv = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
            out[(parts[2], kv.get("attention", ""))] = kv
    return out


def bench_rows(parts, bench_log):
    logs = sections(bench_log)
    engine, torch = bench(logs.get("bench", ""), "engine"), bench(logs.get("pytorch", ""), "pytorch")
    why_engine = parts.missing("bench") or ("FAIL", "no BENCH line: " + last_words(logs.get("bench", "")))
    why_torch = parts.missing("pytorch") or ("NEEDS GPU" if parts.dry else "FAIL", last_words(logs.get("pytorch", ""), 1))
    rows = []
    for prec in ("fp32", "tf32", "bf16"):
        e, math_, sdpa = engine.get((prec, "")), torch.get((prec, "math")), torch.get((prec, "sdpa"))
        theirs = (f'PyTorch eager {float(math_["tokens_per_s"]):,.0f} (same attention), '
                  f'{float(sdpa["tokens_per_s"]):,.0f} (SDPA)' if math_ and sdpa else f"PyTorch: {why_torch[1]}")
        if e is None:
            result, ours = (("NEEDS GPU", "dry run: the CPU backend multiplies in fp32 only") if parts.dry and prec != "fp32"
                            else why_engine)
        elif e.get("backend") == "cpu":
            result, ours = "CPU (dry run)", f'alpa4j on the CPU backend {float(e["tokens_per_s"]):,.0f} tokens/s (step {float(e["step_ms"]):.1f} ms)'
        else:
            ours = f'alpa4j {float(e["tokens_per_s"]):,.0f} tokens/s (step {float(e["step_ms"]):.1f} ms)'
            result = f'{float(e["tokens_per_s"]) / float(math_["tokens_per_s"]):.2f}x PyTorch' if math_ else "measured"
        rows.append((f"throughput {prec} beside PyTorch eager", result, f"{ours}; {theirs}"))
    for prec in ("fp32", "tf32", "bf16"):
        e = engine.get((prec, ""))
        if e is None or e.get("backend") == "cpu":
            result, numbers = ("NEEDS GPU", "dry run: products are timed with CUDA events") if parts.dry else why_engine
        else:
            result = f'{float(e["matmul_tflops"]) / float(e["peak_tflops"]):.0%} of peak'
            numbers = (f'{e["matmuls"]} products, {float(e["matmul_gflop"]):,.0f} GFLOP per step: {float(e["matmul_tflops"]):.1f} TFLOP/s '
                       f'in the step, {float(e["alone_tflops"]):.1f} for the same shapes alone, {float(e["peak_tflops"]):.1f} on 8192³ '
                       f'(the peak); {float(e["matmul_share"]):.0%} of the step; pool mallocs after warm-up {e["mallocs_after_warmup"]}')
        rows.append((f"matmuls {prec} vs the card's peak", result, numbers))
    return rows


def losses(path):
    try:
        return [float(s["loss"]) for s in json.load(open(path))["steps"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pipeline_row(parts, work, train_log):
    logs = sections(train_log)
    check = "pipeline: 2 stages x 2 logical devices (megatron dp=2,tp=1,pp=2, 1x4) vs CPU (1e-4)"
    got, want = losses(os.path.join(work, "pipeline.json")), losses(os.path.join(work, "pipeline-cpu.json"))
    for part, have in (("pipeline", got), ("pipeline-cpu", want)):
        if have is None:
            why = parts.missing(part) or ("FAIL", f"part {part} wrote no report: " + last_words(logs.get(part, "")))
            return check, why[0], why[1]
    if len(got) != len(want):
        return check, "FAIL", f"{len(got)} steps against {len(want)}"
    diff = max(abs(g - w) / abs(w) if w else abs(g) for g, w in zip(got, want))
    backend = json.load(open(os.path.join(work, "pipeline.json"))).get("backend", "?")
    result = "PASS" if diff < TOLERANCE else "FAIL"
    if parts.dry and result == "PASS":
        result = "PASS (CPU)"
    return check, result, f"{len(got)} steps, loss {got[0]:.4f} -> {got[-1]:.4f}; max relative difference {diff:.2e}; on {backend}"


def energy_plan_row(parts, work):
    """The pipeline part's --energy-plan auto, read-only: profiled at the current clock, deployed as a dry run."""
    check = "per-stage energy plan (read-only): stages profiled at the current clock, dry-run deployment, measured J beside the model"
    try:
        e = json.load(open(os.path.join(work, "pipeline.json")))["energy_plan"]
    except (OSError, ValueError, KeyError, TypeError):
        why = parts.missing("pipeline")
        return check, *(why or ("FAIL", "pipeline.json has no energy_plan"))
    if not e.get("deployed") or not e.get("stages"):
        return check, "FAIL", f"not deployed: {e.get('basis')}"
    stages = "; ".join(f'stage {s["stage"]}: measured {float(s.get("measured_joules", 0)):.3g} J/iter (forward '
                       f'{float(s.get("measured_forward_joules", 0)):.3g}, backward {float(s.get("measured_backward_joules", 0)):.3g}), '
                       f'model {float(s["max_clock_joules"]):.3g} at max clock, {float(s["predicted_joules"]):.3g} planned'
                       for s in e["stages"])
    ok = all(float(s.get("measured_joules", 0)) > 0 for s in e["stages"])
    result = ("PASS (CPU)" if parts.dry else "PASS") if ok else "FAIL"
    return check, result, (f'{e["energy_counters"]}; {e["clocks"]}; planned {float(e["planned_iteration_seconds"]) * 1e3:.3g} ms, '
                           f'measured {float(e.get("measured_iteration_seconds") or 0) * 1e3:.3g} ms per iteration; '
                           f'saving {float(e["saving_percent"]):.1f} % ({e["saving_basis"]}); {stages}')


def smi_samples(path):
    """[(unix_ms, watts)] from nvidia-smi's CSV (header: timestamp, power..., ...), timestamps in local time."""
    text = read(path)
    rows = [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]
    if not rows or "timestamp" not in rows[0]:
        return [], " ".join(l.lstrip("# ") for l in text.splitlines()[:2]) or "no output"
    header = [h.strip() for h in rows[0].split(",")]
    power = next(i for i, h in enumerate(header) if h.startswith("power.draw"))
    out = []
    for line in rows[1:]:
        f = [x.strip() for x in line.split(",")]
        try:
            t = datetime.datetime.strptime(f[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
            out.append((int(t * 1000), float(f[power])))
        except (ValueError, IndexError):
            continue  # [N/A], or an error line
    return out, header[power]


def energy_row(parts, work, results, train_log):
    check = f"energy: NVML counter vs nvidia-smi power, same window >= {ENERGY_MIN_WINDOW_S:.0f} s (10 %)"
    try:
        j = json.load(open(os.path.join(work, "energy.json")))
        start, end = j["energy_window_unix_ms"]
        nvml = float(j["avg_power_w"])
    except (OSError, ValueError, KeyError, TypeError):
        why = parts.missing("energy")
        if why:
            return check, *why
        said = last_words(sections(train_log).get("energy", ""), 1)
        samples, field = smi_samples(os.path.join(results, "smi-power.csv"))
        smi = f"{len(samples)} samples of {field}" if samples else field
        return check, "NEEDS GPU" if parts.dry else "FAIL", f"{said}; nvidia-smi: {smi}"
    samples, field = smi_samples(os.path.join(results, "smi-power.csv"))
    inside = [w for t, w in samples if start <= t <= end]
    window = (end - start) / 1000
    if not inside:
        return check, "FAIL", f"NVML {nvml:.1f} W; no nvidia-smi sample inside the {window:.1f} s window ({field})"
    smi = sum(inside) / len(inside)
    diff = (nvml - smi) / smi
    ok = abs(diff) <= ENERGY_TOLERANCE and window >= ENERGY_MIN_WINDOW_S
    return check, "PASS" if ok else "FAIL", (f"NVML {nvml:.1f} W ({float(j['energy_j_per_iteration']):.2f} J/step over "
                                              f"{len(j['steps']) - 1} steps) vs nvidia-smi {field} {smi:.1f} W ({len(inside)} samples) "
                                              f"over the same {window:.1f} s: {diff:+.1%}")


def doctor_row(parts, log):
    verdict = next((l.split("verdict:", 1)[1].strip() for l in sections(log).get("doctor", "").splitlines() if "verdict:" in l), None)
    if verdict is None:
        return ("doctor", *(parts.missing("doctor") or ("FAIL", "no verdict: see gpu-check.log")))
    if verdict.startswith("ready"):
        return "doctor", "PASS", verdict
    return "doctor", "NO GPU (dry run)" if parts.dry else "FAIL", verdict


def card_line(work, dry):
    """card, driver, memory, power limit and top SM clock, from nvidia-smi's CSV line."""
    text = read(os.path.join(work, "card.txt")).strip()
    f = [x.strip() for x in text.splitlines()[0].split(",")] if text else []
    if dry:
        return f"card: none, {cell(text)}"
    if len(f) != 5:
        return f"card: not read ({cell(text) or 'no nvidia-smi output'})"
    return f"card: {f[0]}, driver {f[1]}, {f[2]}, power limit {f[3]}, max SM clock {f[4]}"


def gather(work, out):
    """junit.xml: the test parts' reports under one root; train.json: the train reports by part."""
    root = ET.Element("testsuites")
    for part in ("tests-native", "tests-engine"):
        report = os.path.join(work, "junit-" + part, "TEST-junit-jupiter.xml")
        if os.path.exists(report):
            suite = ET.parse(report).getroot()
            suite.set("name", part)
            root.append(suite)
    ET.ElementTree(root).write(os.path.join(out, "junit.xml"), encoding="utf-8", xml_declaration=True)
    runs = {}
    for part in ("pipeline", "pipeline-cpu", "energy"):
        try:
            runs[part] = json.load(open(os.path.join(work, part + ".json")))
        except (OSError, ValueError):
            pass
    with open(os.path.join(out, "train.json"), "w") as f:
        json.dump(runs, f, indent=1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--mode", choices=("gpu", "dry"), required=True)
    p.add_argument("--seconds", default="?")
    p.add_argument("--total", type=int, default=420, help="the time the whole check may take, seconds")
    p.add_argument("--stretch", type=int, default=1, help="the dry run's factor on every limit")
    p.add_argument("--ended", default="")
    p.add_argument("--print", action="store_true")
    a = p.parse_args()
    parts = Parts(a.work, a.ended, a.mode == "dry")
    tests_log = read(os.path.join(a.out, "tests.log"))
    measured = collections.OrderedDict()
    for line in tests_log.splitlines():
        f = line.strip().split("|")
        if len(f) == 4 and f[0] == "GPUCHECK":
            measured.setdefault(f[1], []).append(f"{f[2]} {f[3]}")
    train_log = read(os.path.join(a.out, "train.log"))
    log = read(os.path.join(a.out, "gpu-check.log"))
    setup = parts.done.get("setup")
    rows = [("setup", *(("PASS", "build tree (dry run)" if parts.dry else "bundle unpacked") if setup and setup["state"] == "ok"
                         else parts.missing("setup") or ("FAIL", setup["note"] if setup else "")))]
    rows.append(doctor_row(parts, log))
    rows += test_rows(parts, test_cases(a.work, tests_log), measured)
    rows.append(pipeline_row(parts, a.work, train_log))
    rows.append(energy_plan_row(parts, a.work))
    rows += bench_rows(parts, read(os.path.join(a.out, "bench.log")))
    rows.append(energy_row(parts, a.work, a.out, train_log))
    gather(a.work, a.out)

    commit = read(os.path.join(a.work, "commit.txt")).strip() or "unknown"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    stretch = f" (dry run: each limit stretched x{a.stretch} for this machine)" if parts.dry else ""
    lines = [f"## alpa4j GPU check{' (dry run)' if parts.dry else ''}, {now}", "", card_line(a.work, parts.dry) + "  ",
             f"commit {commit}; {a.seconds} s in all" + (f"; {a.ended}" if a.ended else ""), ""]
    lines += [f"- {cell(m)}" for m in read(os.path.join(a.work, "models.txt")).splitlines()]
    lines += ["", "| check | result | numbers |", "|---|---|---|"]
    lines += [f"| {cell(c)} | {cell(r)} | {cell(n)} |" for c, r, n in rows]
    lines += ["", f"| part | limit s on a GPU{stretch} | took s | exit code | state |", "|---|---|---|---|---|"]
    for name, limit in parts.limits.items():
        d = parts.done.get(name, {})
        lines.append(f"| {name} | {limit} | {d.get('seconds', '')} | {d.get('rc', '')} | {cell(d.get('state', 'not run') + (': ' + d['note'] if d.get('note') else ''))} |")
    lines.append(f"| all | {sum(parts.limits.values())} (of {a.total}) | {a.seconds} | | |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "gpu-check.md"), "w", encoding="utf-8") as f:
        f.write(text)
    if a.print:
        print(text, end="")
    return 3 if any(r in BAD for _, r, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
