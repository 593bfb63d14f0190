"""Times the CUDA kernels against PyTorch's scaled_dot_product_attention at the FlashAttention
benchmark shapes (batch x length = 16k tokens, heads x dim = 2048, bf16), forward and
forward+backward, against each SDPA backend that runs (flash, cuDNN, memory-efficient) and the best
of them. Medians of CUDA-event timings. Prints a table; writes the common results JSON."""
import datetime
import json
import os
import statistics
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from native_attention import NativeAttention

attention = NativeAttention(sys.argv[1])
quick = os.environ.get("ATTENTION_BENCH_QUICK") == "1"
BACKENDS = [("flash", SDPBackend.FLASH_ATTENTION), ("cudnn", SDPBackend.CUDNN_ATTENTION),
            ("efficient", SDPBackend.EFFICIENT_ATTENTION)]


def median_ms(fn, warmup=3, repeat=15):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def flops(batch, heads, length, dim, causal, backward):
    forward = 4 * batch * heads * length * length * dim / (2 if causal else 1)
    return forward * (3.5 if backward else 1.0)  # backward = 2.5 forwards, FlashAttention's count


FORWARD_SHAPES = [shape for shape in ["w16b1", "w16b2", "w32", "w32n32", "wg", "wgs"]
                  if shape not in os.environ.get("ATTENTION_BENCH_SKIP", "").split(",")]  # ACTORTRAIN_CUDA_FORWARD values (forward_launch.cuh)


def time_ours(q, k, v, d_out, causal, backward, shape=None):
    out = torch.empty_like(q)
    lse = torch.empty(q.shape[:3], device=q.device, dtype=torch.float32)
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    p = attention.params(q, k, v, out, lse, causal)
    p.d_out, p.dq, p.dk, p.dv = (attention._view(t) for t in (d_out, dq, dk, dv))
    previous = os.environ.get("ACTORTRAIN_CUDA_FORWARD")
    if shape is not None:
        os.environ["ACTORTRAIN_CUDA_FORWARD"] = shape
    try:
        def step():
            attention.forward_into(p)
            if backward:
                attention.backward_into(p)
        return median_ms(step)
    finally:
        if shape is not None:
            if previous is None:
                del os.environ["ACTORTRAIN_CUDA_FORWARD"]
            else:
                os.environ["ACTORTRAIN_CUDA_FORWARD"] = previous


def time_torch(backend, q, k, v, d_out, causal, backward):
    qg, kg, vg = (t.detach().clone().requires_grad_(backward) for t in (q, k, v))

    def step():
        out = F.scaled_dot_product_attention(qg, kg, vg, is_causal=causal)
        if backward:
            out.backward(d_out)
            qg.grad = kg.grad = vg.grad = None
    try:
        with sdpa_kernel(backend):
            return median_ms(step)
    except RuntimeError as e:  # this backend does not take the shape here
        return None


rows = []
variants = []
lengths = [512, 2048, 8192] if quick else [512, 1024, 2048, 4096, 8192, 16384]
print(f"{'shape':<34} {'pass':<8} {'ours ms':>8} {'TFLOP/s':>8} {'best':>10} {'ms':>8} {'TFLOP/s':>8} {'ratio':>6}",
      flush=True)
for dim in (64, 128):
    heads = 2048 // dim
    for length in lengths:
        batch = 16384 // length
        for causal in (False, True):
            q, k, v, d_out = (torch.randn(batch, heads, length, dim, device="cuda", dtype=torch.bfloat16)
                              for _ in range(4))
            shape = f"B{batch} H{heads} T{length} D{dim} {'causal' if causal else 'full'} bf16"
            for backward in (False, True):
                what = "fwd+bwd" if backward else "fwd"
                ours = time_ours(q, k, v, d_out, causal, backward)
                baselines = {name: time_torch(b, q, k, v, d_out, causal, backward) for name, b in BACKENDS}
                ran = {n: t for n, t in baselines.items() if t is not None}
                best_name = min(ran, key=ran.get)
                work = flops(batch, heads, length, dim, causal, backward)
                row = {"name": f"{what} {shape}", "ours": round(ours, 4), "baseline": round(ran[best_name], 4),
                       "baseline_name": f"sdpa-{best_name}", "unit": "ms",
                       "speedup": round(ran[best_name] / ours, 3),
                       "ours_tflops": round(work / ours / 1e9, 1),
                       "baseline_tflops": round(work / ran[best_name] / 1e9, 1),
                       "backends_ms": {n: (round(t, 4) if t is not None else None) for n, t in baselines.items()}}
                rows.append(row)
                print(f"{shape:<34} {what:<8} {ours:8.3f} {row['ours_tflops']:8.1f} {best_name:>10} "
                      f"{ran[best_name]:8.3f} {row['baseline_tflops']:8.1f} {row['speedup']:6.2f}", flush=True)
                if not backward:
                    # Every forward shape, to choose the default.
                    timed = {f: round(time_ours(q, k, v, d_out, causal, False, shape=f), 4) for f in FORWARD_SHAPES}
                    variants.append({"name": f"fwd {shape}", "ms": timed,
                                     "tflops": {f: round(work / t / 1e9, 1) for f, t in timed.items()}})
            del q, k, v, d_out
            torch.cuda.empty_cache()

print("\nforward shapes, TFLOP/s: " + " ".join(f"{f:>8}" for f in FORWARD_SHAPES))
for v in variants:
    print(f"  {v['name']:<40} " + " ".join(f"{v['tflops'][f]:8.1f}" for f in FORWARD_SHAPES))

properties = torch.cuda.get_device_properties(0)
result = {
    "suite": "attention-gpu",
    "machine": {"gpu": properties.name, "multiprocessors": properties.multi_processor_count,
                "torch": torch.__version__, "cuda": torch.version.cuda,
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "commit": os.environ.get("ACTORTRAIN_COMMIT", "unknown")},
    "quick": quick,
    "rows": rows,
    "forward_variants": variants,
}
with open(sys.argv[2], "w") as f:
    json.dump(result, f, indent=2)
