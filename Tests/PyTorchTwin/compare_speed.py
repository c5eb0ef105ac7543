"""Our `pipeline bench` against the PyTorch fp32 reference scripts, interleaved in one run on one
machine: for each workload and thread count, our step, then PyTorch's, so that drifts of the
machine hit both. Prints a Markdown table (ours, PyTorch, ratio) and writes every JSON line to
--out. The references are ../shared/bench/*.py (--bench-dir) and, for classify and segment, the
scripts beside this one.

    python3 Tests/PyTorchTwin/compare_speed.py [--threads 1 2] [--workloads mae3d vit_tiny ...]
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
    p.add_argument("--out", default="speed.jsonl")
    args = p.parse_args()
    commands = references(args.bench_dir)
    rows = []
    with open(args.out, "w") as out:
        for workload in args.workloads:
            for threads in args.threads:
                ours = last_json(subprocess.run([args.pipeline, "bench", "--workload", workload, "--threads", str(threads),
                                                 "--steps", str(args.steps)], capture_output=True, text=True, check=True).stdout)
                theirs = last_json(subprocess.run(commands[workload] + ["--threads", str(threads), "--steps", str(args.steps)],
                                                  capture_output=True, text=True, check=True).stdout)
                for side, report in (("swift", ours), ("pytorch", theirs)):
                    out.write(json.dumps({"side": side, "workload": workload, "threads": threads, **report}) + "\n")
                out.flush()
                row = (workload, threads, seconds(ours), seconds(theirs))
                rows.append(row)
                print(f"{workload} {threads} thread(s): ours {row[2]:.4g} s, PyTorch {row[3]:.4g} s, ratio {row[2] / row[3]:.2f}",
                      file=sys.stderr, flush=True)
    print("| workload | threads | Swift | PyTorch | ratio |\n|---|---|---|---|---|")
    for workload, threads, a, b in rows:
        print(f"| `{workload}` | {threads} | {a:.4g} s | {b:.4g} s | {a / b:.2f} |")


if __name__ == "__main__":
    main()
