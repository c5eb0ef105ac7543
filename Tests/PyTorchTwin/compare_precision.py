"""bf16 against fp32 matrix products over the same training steps: runs `pipeline bench` for each
workload twice from the same seed (`--precision fp32`, then `bf16`), every step's loss recorded,
and prints how far the bf16 loss curve is from the fp32 one (largest relative difference at any
step, and over the mean of the last 20 steps) beside each run's step time.

    python3 Tests/PyTorchTwin/compare_precision.py [--workloads mae3d vit_tiny] [--steps 200] [--threads 2]
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bench(pipeline, workload, precision, steps, threads):
    out = subprocess.run([pipeline, "bench", "--workload", workload, "--precision", precision, "--steps", str(steps),
                          "--warmup", "0", "--threads", str(threads)], capture_output=True, text=True, check=True).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workloads", nargs="+", default=["mae3d", "vit_tiny"])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pipeline", default=f"{ROOT}/.build/release/pipeline")
    p.add_argument("--out", default="precision.jsonl")
    args = p.parse_args()
    rows = []
    with open(args.out, "w") as out:
        for workload in args.workloads:
            exact = bench(args.pipeline, workload, "fp32", args.steps, args.threads)
            rounded = bench(args.pipeline, workload, "bf16", args.steps, args.threads)
            for report in (exact, rounded):
                out.write(json.dumps(report) + "\n")
            out.flush()
            a, b = exact["losses"], rounded["losses"]
            worst = max(abs(x - y) / abs(x) for x, y in zip(a, b))
            tail_a, tail_b = sum(a[-20:]) / 20, sum(b[-20:]) / 20
            rows.append((workload, a[0], a[-1], b[-1], worst, abs(tail_b - tail_a) / tail_a, exact["median_s"], rounded["median_s"]))
    print("| workload | first loss | last loss fp32 | last loss bf16 | worst step, relative | last 20 steps, relative "
          "| fp32 s/step | bf16 s/step | speed-up |\n|---|---|---|---|---|---|---|---|---|")
    for w, first, last_a, last_b, worst, tail, ta, tb in rows:
        print(f"| `{w}` | {first:.4f} | {last_a:.4f} | {last_b:.4f} | {worst:.2%} | {tail:.2%} | {ta:.3f} | {tb:.3f} | {ta / tb:.2f}× |")


if __name__ == "__main__":
    main()
