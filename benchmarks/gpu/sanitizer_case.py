"""A few small forward and backward calls over every kernel variant (dtype, head dim, causal), for
compute-sanitizer's memcheck and racecheck: odd lengths, so that partial tiles and masks run."""
import os
import sys

import torch

from native_attention import NativeAttention

attention = NativeAttention(sys.argv[1])
torch.manual_seed(7)
for dtype in (torch.bfloat16, torch.float16):
    for dim in (64, 128):
        for causal in (False, True):
            q = torch.randn(2, 1, 70, dim, device="cuda", dtype=dtype)
            k = torch.randn(2, 1, 150, dim, device="cuda", dtype=dtype)
            v = torch.randn(2, 1, 150, dim, device="cuda", dtype=dtype)
            lengths = torch.tensor([150, 93], device="cuda", dtype=torch.int32)
            for shape in ("w16b1", "w16b2", "w32", "w32n32", "wg", "wgs"):  # every forward shape (forward_launch.cuh)
                os.environ["ACTORTRAIN_CUDA_FORWARD"] = shape
                out, lse = attention.forward(q, k, v, causal, lengths, causal_offset=80)
            attention.backward(q, k, v, out, lse, torch.randn_like(out), causal, lengths, causal_offset=80)
torch.cuda.synchronize()
print("sanitizer case done")
