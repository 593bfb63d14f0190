"""Reads nvcc's -Xptxas -v report from a build log: registers, spills and stack per kernel and
architecture, one line each, demangled to template arguments."""
import re
import sys

kernel = arch = None
rows = []
spill = stack = None
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"Compiling entry function '(\w+)' for '(\w+)'", line)
    if m:
        kernel, arch = m.group(1), m.group(2)
        continue
    m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
    if m and kernel:
        stack, spill = int(m.group(1)), int(m.group(2))
        continue
    m = re.search(r"Used (\d+) registers", line)
    if m and kernel:
        name = kernel
        t = re.search(r"attention_(\w+?)_kernelI(\w+?)Li(\d+)E(?:Lb([01])E)?(?:Li(\d+)ELi(\d+)ELi(\d)E)?(?:Lb([01])E)?", kernel)
        if t:
            dtype = "bf16" if "bfloat16" in t.group(2) else "fp16"
            name = f"{t.group(1)} {dtype} D{t.group(3)}"
            if t.group(4) is not None:
                name += " causal" if t.group(4) == "1" else " full"
            if t.group(5) is not None:
                name += f" w{t.group(5)} n{t.group(6)} b{t.group(7)}"
            if t.group(8) is not None:
                name += " p v on wgmma" if t.group(8) == "1" else " p v on mma.sync"
        rows.append(f"{arch:7} {name:<34} {int(m.group(1)):4} registers  {spill or 0:4} B spilled  {stack or 0:4} B stack")
        kernel = None
for row in sorted(set(rows)):
    print(row)
