#!/usr/bin/env bash
# A CUDA compiler for compile checks on a machine without one (no GPU needed): Debian trixie's
# nvidia-cuda-toolkit 12.4 (sm_80 and sm_90a, wgmma included), unpacked into a cache folder, not
# installed. Prints the environment that makes CMake find it:
#   eval "$(bash eng/nvcc-from-debian.sh)"
#   cmake -S . -B build-cuda -DACTORTRAIN_CUDA=ON -DACTORTRAIN_BUILD_TESTS=OFF && cmake --build build-cuda
# The kernels can then be compiled and their registers read (-Xptxas -v), not run.
set -euo pipefail
root=${ACTORTRAIN_NVCC_CACHE:-$HOME/.cache/actortrain/cuda-12.4}
toolkit=$root/usr/lib/nvidia-cuda-toolkit
if [ ! -x "$toolkit/bin/nvcc" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$root"
  echo "deb http://deb.debian.org/debian trixie main contrib non-free" > "$work/sources.list"
  apt_options=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
               -o "Dir::State::Lists=$work/lists")
  apt-get "${apt_options[@]}" update >&2
  (cd "$work" && apt-get "${apt_options[@]}" download nvidia-cuda-toolkit nvidia-cuda-dev libnvvm4 libcudart12 libcu++-dev >&2)
  for package in "$work"/*.deb; do dpkg -x "$package" "$root"; done
  # Debian's nvcc.profile points at /usr; this copy lives elsewhere. CMake wants nvvm/libdevice.
  mkdir -p "$toolkit/nvvm"
  ln -sfn ../libdevice "$toolkit/nvvm/libdevice"
  rm -f "$toolkit/bin/nvcc.profile"
  cat > "$toolkit/bin/nvcc.profile" <<PROFILE
NVVMIR_LIBRARY_DIR = $toolkit/nvvm/libdevice
PATH += $toolkit/bin:$root/usr/bin:
INCLUDES += -I$root/usr/include \$(_SPACE_)
LIBRARIES =+ \$(_SPACE_) -L$root/usr/lib/x86_64-linux-gnu/stubs -L$root/usr/lib/x86_64-linux-gnu
PROFILE
fi
echo "export PATH=$toolkit/bin:$root/usr/bin:\$PATH"
echo "export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
echo "export CUDAHOSTCXX=\${CUDAHOSTCXX:-g++}"
