// attention_bench: the third part of the kernel triad (reference, kernel, harness). Checks the
// kernels against the double-precision reference on a fresh random problem, then times forward
// and forward+backward per ISA. The managed suite (benchmarks/run attention-cpu) is the one that
// compares with libtorch; this one is for working on the kernels without .NET in the loop.
//
//   cmake --build build --target attention_bench && build/native/bench/attention_bench B H T D causal threads [reps]
#include "attention/reference.hpp"
#include "../tests/attention_fixture.hpp"

#include <actortrain/actortrain.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

double median_ms(int reps, at_status (*call)(const at_attention_params*), const at_attention_params& p) {
  std::vector<double> times;
  call(&p);  // warm-up: scratch buffers, pool threads
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (call(&p) != AT_OK) {
      std::fprintf(stderr, "call failed: %s\n", at_last_error());
      std::exit(1);
    }
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s B H T D causal(0|1) threads [reps]\n", argv[0]);
    return 2;
  }
  attention_test::Shape shape{std::atoll(argv[1]), std::atoll(argv[2]), std::atoll(argv[3]), std::atoll(argv[3]), std::atoll(argv[4])};
  shape.causal = std::atoi(argv[5]) != 0;
  shape.threads = std::atoi(argv[6]);
  const int reps = argc > 7 ? std::atoi(argv[7]) : 7;
  std::mt19937_64 rng(std::random_device{}());
  attention_test::Problem problem(shape, rng);

  const double flops = 4.0 * shape.batch * shape.heads * shape.q_len * shape.kv_len * shape.head_dim / (shape.causal ? 2 : 1);
  std::printf("%s\n", shape.describe().c_str());
  for (at_isa isa : {AT_ISA_SCALAR, AT_ISA_AVX2, AT_ISA_AVX512}) {
    if (isa > at_cpu_isa()) break;
    at_set_isa_limit(isa);
    if (shape.q_len <= 512) {  // the reference is quadratic in double: check only where it is quick
      const auto reference = actortrain::attention::reference_attention(problem.params, false);
      at_attention_forward(&problem.params);
      double worst = 0;
      for (int64_t i = 0; i < static_cast<int64_t>(reference.out.size()); ++i) {
        const int64_t d = i % shape.head_dim, row = i / shape.head_dim, t = row % shape.q_len, bh = row / shape.q_len;
        worst = std::max(worst, std::abs(problem.out.at(bh / shape.heads, bh % shape.heads, t, d) - reference.out[i]));
      }
      std::printf("  %-7s max |out - reference| = %.2e\n", at_isa_name(isa), worst);
    }
    const double fwd = median_ms(reps, at_attention_forward, problem.params);
    const double bwd = median_ms(reps, at_attention_backward, problem.params);
    std::printf("  %-7s fwd %8.2f ms %6.1f GFLOP/s   bwd %8.2f ms %6.1f GFLOP/s   fwd+bwd %8.2f ms %6.1f GFLOP/s\n",
                at_isa_name(isa), fwd, flops / fwd / 1e6, bwd, 2.5 * flops / bwd / 1e6, fwd + bwd, 3.5 * flops / (fwd + bwd) / 1e6);
  }
  return 0;
}
