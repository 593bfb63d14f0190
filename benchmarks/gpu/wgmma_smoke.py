"""One forward call of each wgmma shape, synchronised, in its own process: run.sh times those
shapes only when this exits 0, since a fault would end the timing process with it."""
import os
import sys

import torch

from native_attention import NativeAttention

attention = NativeAttention(sys.argv[1])
q = torch.randn(2, 4, 1000, 128, device="cuda", dtype=torch.bfloat16)
for shape in ("wg", "wgs"):
    os.environ["ACTORTRAIN_CUDA_FORWARD"] = shape
    out, _ = attention.forward(q, q, q, True)
    torch.cuda.synchronize()
    print(shape, "ran; finite:", bool(torch.isfinite(out).all()))
