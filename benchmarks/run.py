"""`make bench`: every benchmark and its target, benchmarks/RESULTS.md and the README's table.

Each row names the path it times: ``nn.MLP`` and ``nn.fit`` (what users run), ``autograd.compile``,
or engine-only (networks built from ``autograd.affine`` directly, for diagnosis). Subprocesses,
so each figure has a known process context:

* ``bench_eager.py``: ``nn.MLP``, ``nn.fit`` and engine-only eager steps, compiled programs and
  micrograd, alternating in one process that never imports torch or sklearn (NumPy is loaded);
* ``bench_batched.py``: compiled programs and PyTorch CPU, alternating in one process with
  torch imported;
* ``bench_users.py``: ``nn.fit`` at full size against PyTorch (bench_fit.py's measures, float64
  and float32), compile time against width, and ``fit(live=True)`` (bench_live.py), torch
  imported;
* ``bench_floor.py``: compiled ``fit``'s float64 epoch against a hand-written NumPy loop of the
  same math (the floor of a NumPy design);
* ``bench_scalar.py``: plain scalar programs (node creation per op, the scalar GPT's training
  step) on our Value against a minimal micrograd-style class, and ``grad(create_graph=True)``
  against a baseline tree.

All run single-threaded (BLAS and torch), so a shared 2-core machine does not make the
multi-threaded side thrash; set ``BENCH_THREADS`` to change that. Every timing is a median of
alternating blocks, given as wall time (``time.perf_counter``) and as this process's CPU time.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
README = HERE.parent / "README.md"
SUMMARY_START = "<!-- bench-summary:start (written by `make bench`) -->"
SUMMARY_END = "<!-- bench-summary:end -->"


def run(script: str, env: dict, quick: bool, *extra: str) -> dict:
    args = [sys.executable, str(HERE / script), *extra] + (["--quick"] if quick else [])
    print(f"running {script} ...", flush=True)
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{script} failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def ms(seconds: float) -> str:
    """A duration in s, ms or µs, three significant digits."""
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    return f"{seconds * 1e3:.3g} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.3g} µs"


CPU_ONLY = False  # set while building the README's table: one figure per cell


def both(wall: str, cpu: str) -> str:
    """ "wall [cpu]", or the CPU figure alone for the README."""
    return cpu if CPU_ONLY else f"{wall} [{cpu}]"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def scaling_row(scaling: dict, kind: str, fixed: str) -> tuple[str, str, str, str, str, str]:
    """The nn step's CPU time for each number of samples (or width), and per unit of work."""
    times = {
        key.split()[1]: t["cpu"] for key, t in scaling["times"].items() if key.startswith(kind)
    }
    measured = ", ".join(f"{size}: {ms(seconds)}" for size, seconds in times.items())
    if kind == "samples":
        per = [seconds / int(size) for size, seconds in times.items()]
        unit = f"{ms(min(per))} to {ms(max(per))} per sample"
    else:  # per weight and sample: the work of a step grows with the weights
        per = [seconds / (100 * scaling["weights"][size]) for size, seconds in times.items()]
        unit = f"{ms(min(per))} to {ms(max(per))} per weight and sample"
    return (
        f"`nn.MLP` moons step time vs {kind} ({fixed}; CPU time; {kind} {', '.join(times)})",
        measured,
        "",
        unit,
        "(for information)",
        "",
    )


def user_rows(users: dict) -> list[tuple[str, str, str, str, str, str]]:
    """``nn.fit`` at full size against PyTorch, compile time against width, ``fit(live=True)``."""
    out = []
    fit = users["fit"]
    if "missing" in fit:
        out.append(("`nn.fit(compiled=True)` epochs vs PyTorch", fit["missing"], "", "", "", ""))
    else:
        out.extend(fit_rows(fit))
    if "missing" in fit.get("fashion", {}):
        missing = fit["fashion"]["missing"]
        out.append(("`nn.fit(compiled=True)` on Fashion-MNIST", missing, "", "", "", ""))
    live = users["live"]
    out.append((
        f"`nn.fit(compiled=True, live=True)` vs `live=False`: compiled moons run "
        f"({live['refreshes_per_run']} redraws; CPU time; the ratio is the time spent "
        "redrawing over the plain run, the runs' own difference in brackets)",
        f"{ms(live['live_s'])} ({ms(live['redraw_s'])} redrawing)",
        f"live=False {ms(live['plain_s'])}",
        f"{live['overhead']:+.1%} [{live['difference']:+.1%}]",
        f"<= +{live['limit']:.0%}",
        verdict(live["overhead"] <= live["limit"]),
    ))  # fmt: skip
    calls = users.get("record_calls")
    if calls:
        out.append((
            f"`record_calls()` build / plain build: one document's loss of "
            f"examples/scalar_gpt.py ({calls['values']:,} Values; CPU time)",
            ms(calls["recorded_s"]),
            f"plain {ms(calls['plain_s'])}",
            f"{calls['ratio']:.2f}x",
            f"<= {calls['limit']:.0f}x",
            verdict(calls["ratio"] <= calls["limit"]),
        ))  # fmt: skip
    return out


def floor_rows(floor: dict) -> list[tuple[str, str, str, str, str, str]]:
    """Compiled ``fit``'s float64 epoch against the hand-written NumPy loop (bench_floor.py)."""
    return [
        (
            f"`nn.fit(compiled=True)` {network}, one float64 epoch of {floor['rows']:,} rows vs "
            "the hand-written NumPy loop of the same math (the floor; CPU time)",
            ms(r["ours_s"]),
            f"NumPy loop {ms(r['floor_s'])}",
            f"{r['ratio']:.2f}x the floor's time",
            f"<= {r['target']}x",
            verdict(r["ratio"] <= r["target"]),
        )
        for network, r in floor["floor"].items()
    ]


def minimal_row(
    label: str, ours: str, tiny: str, ratio: str, target: str = "", met: str = ""
) -> tuple[str, str, str, str, str, str]:
    """A row of ours against the minimal class (a diagnosis when it has no target)."""
    return (label, ours, f"minimal {tiny}", ratio, target, met)


def scalar_rows(scalar: dict) -> list[tuple[str, str, str, str, str, str]]:
    """Plain scalar programs on our Value against the minimal tuple-of-local-derivatives class
    written in bench_scalar.py, and ``grad(create_graph=True)`` against the baseline tree."""
    out = []
    for op, r in scalar["nodes"].items():
        out.append(minimal_row(
            f"node creation `{op}` on a plain Value vs the minimal class (CPU ns per node)",
            f"{r['ours_ns']:.0f} ns", f"{r['tiny_ns']:.0f} ns", f"{r['ratio']:.2f}x its time",
            f"<= {r['limit']}x", verdict(r["ratio"] <= r["limit"]),
        ))  # fmt: skip
    if "seven" in scalar:
        r = scalar["seven"]
        out.append(minimal_row(
            "`a + b` on a hand-written node with our seven slots and checks, one op, no closure "
            "(bench_scalar.Seven; diagnosis: every op's node written out in full would cost this)",
            f"{r['seven_ns']:.0f} ns", f"{r['tiny_ns']:.0f} ns", f"{r['ratio']:.2f}x its time",
        ))  # fmt: skip
    g, q = scalar["gpt"], scalar["gpt"]["gc_off"]
    out.append(minimal_row(
        "examples/scalar_gpt.py training step (one document: loss, backward, Adam) on our Value "
        "vs the same file on the minimal class (CPU time)",
        ms(g["ours_s"]), ms(g["tiny_s"]), f"{g['speedup']:.2f}x as fast",
        f">= {g['target']}x", verdict(g["speedup"] >= g["target"]),
    ))  # fmt: skip
    out.append(minimal_row(
        "the same step with the cyclic garbage collector off in both (diagnosis: what the node "
        "design decides; CPU time)",
        ms(q["ours_s"]), ms(q["tiny_s"]), f"{q['speedup']:.2f}x as fast",
    ))  # fmt: skip
    g = scalar["grad"]
    base = "base" in g
    out.append((
        f"`autograd.grad(create_graph=True)`, {g['calls']} calls on a 4-8-8-1 tanh network "
        f"(CPU time), vs the tree {g.get('base', 'BENCH_BASE')}",
        ms(g["ours_s"]),
        f"baseline {ms(g['base_s'])}" if base else "baseline tree not there",
        f"{g['ratio']:.2f}x its time" if base else "",
        "<= 1.0x",
        verdict(g["ratio"] <= 1.0) if base else "",
    ))  # fmt: skip
    return out


def big_explorer_rows(big: dict) -> list[tuple[str, str, str, str, str, str]]:
    """One nudge of the big explorer in headless Chromium (bench_big_explorer.py)."""
    name = f"viz.explore nudge in Chromium, {big['values']:,} Values (median; page's own timer)"
    if not big["available"]:
        return [(name, "no Chromium/Playwright", "", "", f"< {big['limit_ms']:.0f} ms", "skipped")]
    return [
        (
            name,
            f"{big['nudge_ms']:.1f} ms (first {big['first_ms']:.1f} ms)",
            f"export {big['export_s']:.1f} s",
            "",
            f"< {big['limit_ms']:.0f} ms",
            verdict(big["nudge_ms"] < big["limit_ms"]),
        ),
        *gpt_rows(big.get("gpt"), big["limit_ms"]),
    ]


def gpt_rows(gpt: dict | None, limit_ms: float) -> list[tuple[str, str, str, str, str, str]]:
    """Issue 18's acceptance on the scalar GPT's document (bench_big_explorer.py, wall clock)."""
    if not gpt:
        return []
    doc = f"scalar GPT, one document ({gpt['values']:,} Values, record_calls)"
    drawn = gpt.get("draw_s")
    return [
        (
            f'{doc}: draw_dot(loss, collapse="call") to SVG',
            f"{drawn:.2f} s" if drawn is not None else "no Graphviz",
            f"recorded build + backward {gpt['record_s']:.2f} s",
            "",
            "< 5 s",
            verdict(drawn < 5) if drawn is not None else "skipped",
        ),
        (
            f"{doc}: viz.explore + viz.to_html",
            f"{gpt['export_s']:.2f} s",
            f"file {gpt['file_mb']:.1f} MB (< 20 MB)",
            "",
            "< 30 s",
            verdict(gpt["export_s"] < 30 and gpt["file_mb"] < 20),
        ),
        (
            f"{doc}: a nudge in Chromium (median; page's own timer)",
            f"{gpt['nudge_ms']:.1f} ms (first {gpt['first_ms']:.1f} ms)",
            "",
            "",
            f"< {limit_ms:.0f} ms",
            verdict(gpt["nudge_ms"] < limit_ms),
        ),
    ]


def fit_rows(fit: dict) -> list[tuple[str, str, str, str, str, str]]:
    """``nn.fit(compiled=True)`` epochs against the same PyTorch loop and compile time against
    width (bench_fit.py's measures, CPU time)."""
    out = []
    shown = [
        (name, f"{fit['rows']:,} rows ({fit['data']})", r, r.get("target_f64"))
        for name, r in fit["epochs"].items()
    ]
    fashion = fit["fashion"]
    if "missing" not in fashion:
        images = f"all {fashion['images']:,} Fashion-MNIST training images"
        shown.append((fashion["network"], images, fashion, None))
    for network, data, r, target in shown:
        for dtype, ours_key, limit in (
            ("f64", "ours_s", target),
            ("f32", "ours_f32_s", r.get("target_f32")),
        ):
            if ours_key not in r:
                continue
            ratio = r[ours_key] / r[f"torch_{dtype}_s"]
            argument = ', dtype="float32"' if dtype == "f32" else ""
            out.append((
                f"`nn.fit(compiled=True{argument})` {network}, one epoch of {data}, batch "
                f"{fit['batch']}, Adam, vs the same PyTorch {dtype} loop",
                ms(r[ours_key]),
                f"PyTorch {ms(r[f'torch_{dtype}_s'])}",
                f"{ratio:.2f}x PyTorch's time",
                f"<= {limit}x" if limit is not None else "(for information)",
                verdict(ratio <= limit) if limit is not None else "",
            ))  # fmt: skip
    if "missing" in fashion:
        out.append(("`nn.fit(compiled=True)` on Fashion-MNIST", fashion["missing"]) + ("",) * 4)
    c = fit["compile"]
    out.append((
        f"`nn.fit(compiled=True)` trace + compile, {c['shape']} ({c['parameters']:,} parameters)",
        f"{c['seconds']:.2f} s, peak {c['peak_bytes'] / 2**20:.0f} MiB",
        "",
        f"{c['bytes_per_parameter']:.0f} bytes per parameter",
        f"<= {c['target_s']} s",
        verdict(c["seconds"] <= c["target_s"]),
    ))  # fmt: skip
    widths = fit["compile_widths"]
    per = [w["seconds"] / w["parameters"] for w in widths]
    out.append((
        "`nn.fit(compiled=True)` trace + compile vs width w, 784-w-w-10 (w = "
        f"{', '.join(str(w['width']) for w in widths)})",
        ", ".join(f"{w['width']}: {w['seconds']:.2f} s" for w in widths),
        "",
        f"{ms(min(per))} to {ms(max(per))} per parameter",
        "(for information)",
        "",
    ))  # fmt: skip
    return out


def rows(eager: dict, batched: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(workload, ours, reference, ratio, target, verdict): wall time, CPU time in brackets;
    verdicts on CPU time."""
    out = []
    context_e = "numpy, no torch/sklearn"

    def speedup_row(label: str, t: dict, ours: str, target: float | None, digits: int = 1) -> tuple:
        """micrograd's time over ours (wall [CPU]); the verdict on CPU time (none without a
        target)."""
        ratio = t["micrograd"]["wall"] / t[ours]["wall"]
        ratio_cpu = t["micrograd"]["cpu"] / t[ours]["cpu"]
        return (
            label,
            f"{both(ms(t[ours]['wall']), ms(t[ours]['cpu']))}",
            f"micrograd {both(ms(t['micrograd']['wall']), ms(t['micrograd']['cpu']))}",
            both(f"{ratio:.{digits}f}x", f"{ratio_cpu:.{digits}f}x"),
            f">= {target}x" if target else "(for information)",
            verdict(ratio_cpu >= target) if target else "",
        )

    # What users run: the demo's training loop written with nn.MLP, nn.hinge_loss and nn.SGD,
    # in three process contexts (the heap's size sets the cost of each full collection). The
    # target is read in micrograd's own contexts; with torch imported as well, a heap eight
    # times larger makes the full collections our steps trigger cost ~15 ms a step (measured
    # with gc.callbacks), which only changing the collector's settings, process-wide, avoids.
    contexts = (
        (context_e, eager, 50),
        ("sklearn imported, like micrograd's demo", eager["like_demo"], 50),
        ("torch, numpy and sklearn imported; for information", {
            "moons_loop": batched["moons_eager_loop"], "moons_gc": batched["moons_eager_gc"]
        }, None),
    )  # fmt: skip
    for context, figures, target in contexts:
        label = f"`nn.MLP` moons training loop vs micrograd's, per step (default GC; {context})"
        out.append(speedup_row(label, figures["moons_loop"], "nn", target))
    for context, figures, _ in contexts:
        label = (
            f"`nn.MLP` moons step alone, after a full collection (default GC; {context}; diagnosis)"
        )
        out.append(speedup_row(label, figures["moons_gc"], "nn", None))
    t = eager["nn_vs_engine"]
    ratio, ratio_cpu = t["nn"]["wall"] / t["eager"]["wall"], t["nn"]["cpu"] / t["eager"]["cpu"]
    out.append((
        f"`nn.MLP` moons step vs the engine-only step (affine-built network; default GC; "
        f"{context_e})",
        both(ms(t["nn"]["wall"]), ms(t["nn"]["cpu"])),
        f"engine-only {both(ms(t['eager']['wall']), ms(t['eager']['cpu']))}",
        both(f"{ratio:.2f}x", f"{ratio_cpu:.2f}x"),
        "<= 1.15x",
        verdict(ratio_cpu <= 1.15),
    ))  # fmt: skip
    t = eager["fit_epoch"]
    ratio, ratio_cpu = t["fit"]["wall"] / t["nn"]["wall"], t["fit"]["cpu"] / t["nn"]["cpu"]
    out.append((
        "`nn.fit` eager: one epoch of the moons data as one batch of 100 (hinge, SGD; the "
        "collector paused inside the step) vs the `nn.MLP` step written by hand (default GC)",
        both(ms(t["fit"]["wall"]), ms(t["fit"]["cpu"])),
        f"`nn.MLP` step {both(ms(t['nn']['wall']), ms(t['nn']['cpu']))}",
        both(f"{ratio:.2f}x", f"{ratio_cpu:.2f}x"),
        "(for information)",
        "",
    ))  # fmt: skip
    out.append(scaling_row(eager["nn_scaling"], "samples", "2-16-16-1"))
    out.append(scaling_row(eager["nn_scaling"], "width", "100 samples"))
    # Engine-only figures (diagnosis): the same step on a network built from autograd.affine.
    label = f"engine-only moons training loop vs micrograd's, per step (default GC; {context_e})"
    out.append(speedup_row(label, eager["moons_loop"], "eager", 50))
    for collector, key, target in (
        ("default GC", "moons_gc", 50),
        ("GC off in both", "moons_nogc", 8),
    ):
        label = f"engine-only moons step vs micrograd ({collector}; {context_e})"
        out.append(speedup_row(label, eager[key], "eager", target))
    label = f"`autograd.compile` moons step vs micrograd (default GC; {context_e})"
    out.append(speedup_row(label, eager["moons_gc"], "compiled", 1000, digits=0))
    t = batched["moons"]["times"]
    for name in ("torch_f64", "torch_f32"):
        ratio = t[name]["wall"] / t["compiled"]["wall"]
        ratio_cpu = t[name]["cpu"] / t["compiled"]["cpu"]
        out.append((
            f"moons step (batch 100), compiled vs PyTorch {name[-3:]} (torch imported)",
            f"{both(ms(t['compiled']['wall']), ms(t['compiled']['cpu']))}",
            f"PyTorch {both(ms(t[name]['wall']), ms(t[name]['cpu']))}",
            both(f"{ratio:.2f}x as fast", f"{ratio_cpu:.2f}x as fast"),
            ">= 1x (f64)" if name == "torch_f64" else "(for information)",
            verdict(ratio_cpu >= 1) if name == "torch_f64" else "",
        ))  # fmt: skip
    b = eager["bytes_per_value"]
    for graph, label in (("moons_forward", "moons forward graph"), ("chain", "chain of x + c")):
        ours, micro = b[f"{graph}_ours"], b[f"{graph}_micrograd"]
        out.append((
            f"bytes per Value, {label} (tracemalloc; {context_e})",
            f"{ours:.0f} B",
            f"micrograd {micro:.0f} B",
            f"{micro / ours:.1f}x smaller",
            "<= 250 B",
            verdict(ours <= 250),
        ))  # fmt: skip
    c = eager["chain"]
    for key, label in (
        ("mul_gc", "y = y * c, default GC"),
        ("mul_nogc", "y = y * c, GC off"),
        ("add_gc", "y = y + 1e-6 (2 Values per op), default GC"),
        ("add_nogc", "y = y + 1e-6 (2 Values per op), GC off"),
    ):
        per_value = 2 if key.startswith("add") else 1
        f, bw = c[key]["forward_ns"] / per_value, c[key]["backward_ns"] / per_value
        f_cpu, bw_cpu = c[key]["forward_cpu_ns"] / per_value, c[key]["backward_cpu_ns"] / per_value
        out.append((
            f"1,000,000-op chain, per node: {label}",
            both(
                f"forward {f:.0f} ns, backward {bw:.0f} ns",
                f"forward {f_cpu:.0f} ns, backward {bw_cpu:.0f} ns",
            ),
            f"micrograd: {eager['micrograd_chain']}",
            "",
            "<= 250 ns fwd, <= 350 ns bwd",
            verdict(f_cpu <= 250 and bw_cpu <= 350),
        ))  # fmt: skip
    m = batched["mnist"]
    t = m["times"]
    for name, ours, limit in (("torch_f64", "compiled", 1.5), ("torch_f32", "compiled_f32", 1.2)):
        if ours not in t:  # an older bench_batched.py: float64 only
            ours, limit = "compiled", None
        ratio = t[ours]["wall"] / t[name]["wall"]
        ratio_cpu = t[ours]["cpu"] / t[name]["cpu"]
        how = (
            ' dtype="float32", value_and_grad on the flat weight array'
            if ours.endswith("f32")
            else ", backward() into the Values' .grad"
        )
        out.append((
            f"784-32-10 cross-entropy, batch 1024, forward+backward, compiled{how} vs "
            f"PyTorch {name[-3:]}",
            f"{both(ms(t[ours]['wall']), ms(t[ours]['cpu']))}",
            f"PyTorch {both(ms(t[name]['wall']), ms(t[name]['cpu']))}",
            both(f"{ratio:.2f}x PyTorch's time", f"{ratio_cpu:.2f}x PyTorch's time"),
            f"<= {limit}x" if limit else "(for information)",
            verdict(ratio_cpu <= limit) if limit else "",
        ))  # fmt: skip
    out.append((
        f"trace + compile of that graph ({m['nodes']} nodes, {m['parameters']} parameters, "
        f"{m['steps']} steps)",
        f"{m['compile_seconds']:.2f} s",
        "",
        "",
        "< 2 s",
        verdict(m["compile_seconds"] < 2),
    ))  # fmt: skip
    d = batched["digits"]
    for name in ("torch_f64", "torch_f32"):
        out.append((
            f"digits 64-32-10 to >= 97 % test accuracy, wall incl. compile vs PyTorch {name[-3:]}",
            f"{d['compiled']['seconds']:.2f} s (epochs {d['compiled']['epochs']}, "
            f"accuracy {d['compiled']['accuracy']})",
            f"PyTorch {d[name]['seconds']:.2f} s (epochs {d[name]['epochs']})",
            f"{d[name]['seconds'] / d['compiled']['seconds']:.2f}x as fast",
            "< 5 s" if name == "torch_f64" else "(for information)",
            verdict(d["compiled"]["seconds"] < 5 and d["compiled"]["reached"])
            if name == "torch_f64"
            else "",
        ))  # fmt: skip
    return out


def markdown(table: list[tuple], eager: dict, batched: dict, users: dict, info: dict) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run.py`); numbers from one run on the machine "
        "below. Each timing is the median of alternating blocks (contenders take turns); "
        "wall time first, this process's CPU time in brackets. Everything runs single-threaded, "
        "so on an idle machine the two agree; on a busy shared machine wall time also counts "
        "the waits for a core, so the verdicts use CPU time (the seconds of compile and of "
        "digits training are wall time). The micrograd training-loop rows time blocks of "
        "consecutive steps, as a user's loop runs them (micrograd's graphs are reference "
        "cycles that its collector frees during later steps; ours are freed at once); the "
        "'step alone' rows time steps that each start right after a full collection.",
        "",
        f"- machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}, "
        f"NumPy {batched['numpy']}, PyTorch {batched['torch']} (CPU), micrograd 0.1.0",
        f"- load average at start {info['load_start']}, at end {info['load_end']} "
        "(other work on the machine shows up in wall time, not in CPU time)",
        f"- threads: {batched['threads']} (BLAS and torch); run: {info['date']}, "
        f"{info['seconds']:.0f} s",
        "- eager process: imports at start "
        + ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in eager["imported"].items())
        + "; the `nn.MLP`, engine-only and compiled moons steps take the same SGD steps (loss "
        f"difference over 5 steps: compiled {eager['check']['max_difference_5_steps']:.1e}, "
        f"nn.MLP {eager['check']['nn_max_difference_5_steps']:.1e})",
        "- batched process: torch imported; first losses "
        + ", ".join(f"{k} {v:.12f}" for k, v in batched["mnist"]["losses"].items())
        + " (MNIST-sized); inputs are random pixels with random labels",
        "",
        "| workload | ours | reference | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for row in table:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", "Raw figures:", "", "```json", json.dumps(
        {"eager": eager, "batched": batched, "users": users}, indent=1, sort_keys=True
    ), "```", ""]  # fmt: skip
    return "\n".join(lines)


def update_readme(table: list[tuple]) -> None:  # rows built with CPU_ONLY set
    """Put the table (CPU time) between the README's bench-summary markers, if it has them."""
    if not README.exists():
        return
    text = README.read_text(encoding="utf-8")
    head, start, rest = text.partition(SUMMARY_START)
    _, end, tail = rest.partition(SUMMARY_END)
    if not start or not end:
        return
    lines = ["| workload | ours | reference | ratio | target | |", "|---|---|---|---|---|---|"]
    for row in table:
        cells = [cell.replace("|", "\\|") for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    README.write_text(f"{head}{start}\n" + "\n".join(lines) + f"\n{end}{tail}", encoding="utf-8")


def main() -> None:
    quick = "--quick" in sys.argv
    start = time.time()
    info = machine()
    threads = os.environ.get("BENCH_THREADS", "1")
    env = dict(os.environ)
    env.update(
        BENCH_THREADS=threads,
        OPENBLAS_NUM_THREADS=threads,
        OMP_NUM_THREADS=threads,
        MKL_NUM_THREADS=threads,
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH", "")])),
    )
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=100, noise=0.1, random_state=1)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump([X.tolist(), [float(2 * t - 1) for t in y]], file)
    env["BENCH_MOONS"] = file.name
    try:
        eager = run("bench_eager.py", env, quick)
        eager["like_demo"] = run("bench_eager.py", env, quick, "--like-demo")
        batched = run("bench_batched.py", env, quick)
        users = run("bench_users.py", env, quick)
        floor = run("bench_floor.py", env, quick)
        scalar = run("bench_scalar.py", env, quick)
        big = run("bench_big_explorer.py", env, quick)
    finally:
        os.unlink(file.name)
    info.update(
        load_start=info["load"],
        load_end=os.getloadavg() if hasattr(os, "getloadavg") else None,
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        seconds=time.time() - start,
    )
    users.update(floor=floor, scalar=scalar)  # in the raw figures beside the other users' rows
    table = (
        rows(eager, batched)
        + user_rows(users)
        + floor_rows(floor)
        + scalar_rows(scalar)
        + big_explorer_rows(big)
    )
    text = markdown(table, eager, batched, users, info)
    RESULTS.write_text(text, encoding="utf-8")
    if not quick:
        global CPU_ONLY
        CPU_ONLY = True
        update_readme(rows(eager, batched) + user_rows(users) + floor_rows(floor))
        CPU_ONLY = False
    width = max(len(r[0]) for r in table)
    for row in table:
        print(f"{row[0]:<{width}}  {row[1]}  |  {row[2]}  |  {row[3]}  |  {row[4]}  {row[5]}")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
