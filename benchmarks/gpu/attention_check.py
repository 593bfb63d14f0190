"""Checks the CUDA kernels against an fp64 reference on fresh random inputs, next to PyTorch's own
scaled_dot_product_attention in the same dtype: our error (relative Frobenius norm against fp64)
must be within 2x of PyTorch's, for out, dq, dk and dv. Outputs are poisoned with NaN before each
call. Also: rows and batches that see no key, non-contiguous layouts, repeatability, and the
errors bad calls get. Prints one line per case; exits 1 if any case fails."""
import json
import os
import sys

import torch
import torch.nn.functional as F

from native_attention import NativeAttention, NativeError

torch.backends.cuda.matmul.allow_tf32 = False
attention = NativeAttention(sys.argv[1])
results = []
failures = 0


def visible_mask(batch, q_len, kv_len, causal, key_lengths, offset, device):
    """(B, 1, Tq, Tk) bool: query i of batch b sees key j."""
    i = torch.arange(q_len, device=device).view(1, 1, q_len, 1)
    j = torch.arange(kv_len, device=device).view(1, 1, 1, kv_len)
    lengths = key_lengths.view(batch, 1, 1, 1) if key_lengths is not None else torch.full(
        (batch, 1, 1, 1), kv_len, device=device)
    mask = j < lengths
    if causal:
        mask = mask & (j <= i + offset)
    return mask


def reference(q, k, v, mask, scale):
    """fp64 attention whose rows with no visible key give 0 (not NaN), differentiable."""
    s = (q @ k.transpose(-1, -2)) * scale
    s = s.masked_fill(~mask, float("-inf"))
    row_max = s.amax(-1, keepdim=True)
    row_max = torch.where(torch.isinf(row_max), torch.zeros_like(row_max), row_max)
    p = torch.exp(s - row_max) * mask
    total = p.sum(-1, keepdim=True)
    p = p / torch.where(total > 0, total, torch.ones_like(total))
    lse = torch.where(total > 0, torch.log(total) + row_max, torch.full_like(total, float("-inf")))
    return p @ v, lse.squeeze(-1)


def relative_error(x, ref, rows=None):
    """||x - ref|| / ||ref||, the norm of ref floored at an RMS of 0.01: a gradient that is exactly 0
    in theory (one key: ds = dp - delta = 0) is ~1e-8 in fp32 and ~1e-25 in fp64, and the plain ratio
    of the two would be noise."""
    x, ref = x.double(), ref.double()
    if rows is not None:
        x, ref = x[rows], ref[rows]
    if not torch.isfinite(x).all():
        return float("inf")
    floor = 0.01 * max(ref.numel(), 1) ** 0.5
    return (torch.linalg.vector_norm(x - ref) / torch.linalg.vector_norm(ref).clamp_min(floor)).item()


def make(shape, dtype, layout):
    """(B, H, T, D) tensor in the given memory layout: 'bhtd' contiguous, or 'bthd' (a transposed view)."""
    b, h, t, d = shape
    if layout == "bthd":
        return torch.randn(b, t, h, d, device="cuda", dtype=dtype).transpose(1, 2)
    return torch.randn(b, h, t, d, device="cuda", dtype=dtype)


def check(name, *args, **kwargs):
    """One case; an exception (a CUDA fault, a failed call) is that case's failure, and the run goes
    on, so that the results file is written whatever happens."""
    global failures
    try:
        run_case(name, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - every failure is reported, none is hidden
        failures += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        results.append({"name": name, "ok": False, "problems": [f"{type(e).__name__}: {e}"]})


def run_case(name, dtype, batch, heads, q_len, kv_len, dim, causal, offset=0, key_lengths=None, layout="bhtd",
             compare_torch=True):
    global failures
    q = make((batch, heads, q_len, dim), dtype, layout)
    k = make((batch, heads, kv_len, dim), dtype, layout)
    v = make((batch, heads, kv_len, dim), dtype, layout)
    d_out = make((batch, heads, q_len, dim), dtype, layout)
    lengths = torch.tensor(key_lengths, device="cuda", dtype=torch.int32) if key_lengths is not None else None
    scale = dim ** -0.5
    mask = visible_mask(batch, q_len, kv_len, causal, lengths, offset, q.device)
    seen = mask.any(-1).expand(batch, heads, q_len)  # rows that see a key

    out, lse = attention.forward(q, k, v, causal, lengths, offset, scale)
    dq, dk, dv = attention.backward(q, k, v, out, lse, d_out, causal, lengths, offset, scale)
    torch.cuda.synchronize()
    out_again, lse_again = attention.forward(q, k, v, causal, lengths, offset, scale)
    repeatable = torch.equal(out, out_again) and torch.equal(lse, lse_again)

    q64, k64, v64 = (t.detach().double().requires_grad_() for t in (q, k, v))
    ref_out, ref_lse = reference(q64, k64, v64, mask, scale)
    ref_out.backward(d_out.double())
    errors = {
        "out": relative_error(out, ref_out.detach(), seen),
        "lse": relative_error(lse, ref_lse.detach(), seen),
        "dq": relative_error(dq, q64.grad), "dk": relative_error(dk, k64.grad), "dv": relative_error(dv, v64.grad),
    }
    problems = []
    if not repeatable:
        problems.append("forward not repeatable")
    unseen = ~seen
    if unseen.any():
        if not (out[unseen] == 0).all():
            problems.append("rows that see no key are not 0")
        if not torch.isneginf(lse[unseen]).all():
            problems.append("their lse is not -inf")
    for what, t in (("out", out), ("dq", dq), ("dk", dk), ("dv", dv)):
        if not torch.isfinite(t).all():
            problems.append(f"{what} has unwritten or non-finite elements")

    torch_errors = {}
    if compare_torch:
        qt, kt, vt = (t.detach().clone().requires_grad_() for t in (q, k, v))
        plain = key_lengths is None and (not causal or offset == 0)
        if plain:
            ours_torch = F.scaled_dot_product_attention(qt, kt, vt, is_causal=causal, scale=scale)
        else:
            ours_torch = F.scaled_dot_product_attention(qt, kt, vt, attn_mask=mask, scale=scale)
        ours_torch.backward(d_out)
        torch_errors = {"out": relative_error(ours_torch.detach(), ref_out.detach(), seen),
                        "dq": relative_error(qt.grad, q64.grad), "dk": relative_error(kt.grad, k64.grad),
                        "dv": relative_error(vt.grad, v64.grad)}
        for what, limit in torch_errors.items():
            # 1e-4 absolute: where PyTorch's error is exactly 0 (one key: the exact dq and dk are 0),
            # fp32 accumulation still leaves ~1e-5.
            if not errors[what] <= 2 * limit + 1e-4:
                problems.append(f"{what} error {errors[what]:.2e} > 2x PyTorch's {limit:.2e}")
    else:
        # No PyTorch baseline (it gives NaN where a row sees nothing): hold to bf16-sized errors.
        for what in ("out", "dq", "dk", "dv"):
            if not errors[what] <= 2e-2:
                problems.append(f"{what} error {errors[what]:.2e} > 2e-2")
    if not errors["lse"] <= 1e-3:
        problems.append(f"lse error {errors['lse']:.2e} > 1e-3")

    ok = not problems
    failures += 0 if ok else 1
    line = " ".join(f"{w}={e:.1e}" + (f"/{torch_errors[w]:.1e}" if w in torch_errors else "") for w, e in errors.items())
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {line}" + ("" if ok else "  <- " + "; ".join(problems)), flush=True)
    results.append({"name": name, "ok": ok, "errors": errors, "torch_errors": torch_errors, "problems": problems})


def expect_error(name, call, status, fragment):
    global failures
    try:
        call()
        ok, message = False, "no error"
    except NativeError as e:
        ok, message = e.status == status and fragment in e.message, e.message
    failures += 0 if ok else 1
    print(f"{'ok  ' if ok else 'FAIL'} bad call, {name}: {message}", flush=True)
    results.append({"name": "bad call: " + name, "ok": ok, "message": message})


def check_grid(prefix, dtypes):
    """Every dtype, head dim and mask on two shapes: square and contiguous, and (B, T, H, D) views
    with Tq != Tk, under key lengths (full) or bottom-right alignment (causal)."""
    for dtype in dtypes:
        tag = "bf16" if dtype == torch.bfloat16 else "fp16"
        for dim in (64, 128):
            for causal in (False, True):
                kind = "causal" if causal else "full"
                check(f"{prefix}{tag} D{dim} {kind} B2 H3 T384", dtype, 2, 3, 384, 384, dim, causal)
                check(f"{prefix}{tag} D{dim} {kind} B2 H2 Tq200 Tk333 bthd" + (" bottom-right" if causal else " key lengths"),
                      dtype, 2, 2, 200, 333, dim, causal, offset=133 if causal else 0,
                      key_lengths=None if causal else [333, 77], layout="bthd")


torch.manual_seed(20261130)
only_shape = os.environ.get("ATTENTION_CHECK_SHAPE")  # one forward shape's checks alone (run.sh's wgmma mode)
if not only_shape:
    check_grid("", (torch.bfloat16, torch.float16))
    # The other forward shapes (forward_launch.cuh), in bf16.
    for shape in ("w16b1", "w16b2", "w32", "w32n32"):
        os.environ["ACTORTRAIN_CUDA_FORWARD"] = shape
        check_grid(f"[{shape}] ", (torch.bfloat16,))
        del os.environ["ACTORTRAIN_CUDA_FORWARD"]
    check("bf16 D64 full T1", torch.bfloat16, 1, 2, 1, 1, 64, False)
    check("bf16 D128 causal T17", torch.bfloat16, 3, 1, 17, 17, 128, True)
    check("bf16 D128 full T1000 key lengths 1,999,1000", torch.bfloat16, 3, 2, 1000, 1000, 128, False,
          key_lengths=[1, 999, 1000])
    check("bf16 D64 causal Tq300 Tk100 bottom-right (rows see no key)", torch.bfloat16, 1, 2, 300, 100, 64, True,
          offset=-200, compare_torch=False)
    check("fp16 D128 full a batch with key length 0", torch.float16, 2, 2, 130, 130, 128, False,
          key_lengths=[0, 130], compare_torch=False)

    q = torch.randn(1, 1, 16, 64, device="cuda", dtype=torch.bfloat16)
    expect_error("host memory", lambda: attention.forward(q.cpu(), q.cpu(), q.cpu(), False), 1, "not CUDA device memory")
    q96 = torch.randn(1, 1, 16, 96, device="cuda", dtype=torch.bfloat16)
    expect_error("head_dim 96", lambda: attention.forward(q96, q96, q96, False), 2, "head_dim 64 or 128")
    strided = torch.randn(1, 1, 16, 128, device="cuda", dtype=torch.bfloat16)[..., ::2]
    expect_error("head dim stride 2", lambda: attention.forward(strided, strided, strided, False), 2, "strides[3] == 1")
    q32 = q.float()
    expect_error("float32 on CUDA", lambda: attention.forward(q32, q32, q32, False), 2, "not supported on CUDA")

# Last, the wgmma shapes (sm_90a): a fault there must not cost the checks above.
for shape in ([only_shape] if only_shape else ["wg", "wgs"]):
    os.environ["ACTORTRAIN_CUDA_FORWARD"] = shape
    check_grid(f"[{shape}] ", (torch.bfloat16, torch.float16))
    check(f"[{shape}] bf16 D64 causal Tq300 Tk100 (rows see no key)", torch.bfloat16, 1, 2, 300, 100, 64, True,
          offset=-200, compare_torch=False)
    del os.environ["ACTORTRAIN_CUDA_FORWARD"]
with open(sys.argv[2], "w") as f:
    json.dump({"cases": results, "failures": failures}, f, indent=1)
print(f"{len(results) - failures} of {len(results)} checks passed", flush=True)
sys.exit(1 if failures else 0)
