"""Our `pipeline bench` against the PyTorch fp32 reference scripts, interleaved in one run on one
machine: for each workload and thread count, our step, then PyTorch's, so that drifts of the
machine hit both. Prints a Markdown table (ours, PyTorch, ratio) and writes every JSON line to
--out. The references are ../shared/bench/*.py (--bench-dir) and, for classify and segment, the
scripts beside this one.

    python3 Tests/PyTorchTwin/compare_speed.py [--threads 1 2] [--workloads mae3d vit_tiny ...] [--precision fp32 bf16]

With --precision bf16, ours runs `--precision bf16` (bf16 matrix products) and PyTorch `--bf16`
(torch.autocast to bfloat16), for the workloads whose reference script has that switch.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def references(bench):
    """PyTorch command (without --threads) of each of our workloads."""
    py = sys.executable
    return {
        "mae3d": [py, f"{bench}/mae3d.py"],
        "vit_tiny": [py, f"{bench}/vit_tiny.py"],
        "pose": [py, f"{bench}/pose.py"],
        "nerf": [py, f"{bench}/nerf.py"],
        "nerf_zoo": [py, f"{bench}/nerf.py", "--rays", "512", "--samples", "32", "--width", "64"],
        "siren_fit": [py, f"{bench}/siren_fit.py"],
        "siren_query": [py, f"{bench}/siren.py"],
        "classify": [py, f"{HERE}/classify_bench.py"],
        "segment": [py, f"{HERE}/segment_bench.py"],
    }


BF16_REFERENCES = {"mae3d", "vit_tiny"}


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON line in:\n{text[-2000:]}")


def seconds(report):
    """The median over clean steps where the script reports one, else the median."""
    return report.get("median_clean_s") or report["median_s"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--workloads", nargs="+", default=list(references("").keys()))
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--pipeline", default=f"{ROOT}/.build/release/pipeline")
    p.add_argument("--bench-dir", default=os.path.normpath(f"{ROOT}/../shared/bench"))
    p.add_argument("--precision", nargs="+", choices=["fp32", "bf16"], default=["fp32"])
    p.add_argument("--out", default="speed.jsonl")
    args = p.parse_args()
    commands = references(args.bench_dir)
    rows = []
    with open(args.out, "w") as out:
        for workload in args.workloads:
            for precision in args.precision:
                if precision == "bf16" and workload not in BF16_REFERENCES:
                    continue
                for threads in args.threads:
                    ours = last_json(subprocess.run([args.pipeline, "bench", "--workload", workload, "--threads", str(threads),
                                                     "--steps", str(args.steps), "--precision", precision],
                                                    capture_output=True, text=True, check=True).stdout)
                    theirs = last_json(subprocess.run(commands[workload] + ["--threads", str(threads), "--steps", str(args.steps)]
                                                      + (["--bf16"] if precision == "bf16" else []),
                                                      capture_output=True, text=True, check=True).stdout)
                    for side, report in (("swift", ours), ("pytorch", theirs)):
                        out.write(json.dumps({"side": side, "workload": workload, "threads": threads, "precision": precision,
                                              **report}) + "\n")
                    out.flush()
                    row = (workload, precision, threads, seconds(ours), seconds(theirs))
                    rows.append(row)
                    print(f"{workload} {precision} {threads} thread(s): ours {row[3]:.4g} s, PyTorch {row[4]:.4g} s, "
                          f"ratio {row[3] / row[4]:.2f}", file=sys.stderr, flush=True)
    print("| workload | precision | threads | Swift | PyTorch | ratio |\n|---|---|---|---|---|---|")
    for workload, precision, threads, a, b in rows:
        print(f"| `{workload}` | {precision} | {threads} | {a:.4g} s | {b:.4g} s | {a / b:.2f} |")


if __name__ == "__main__":
    main()
