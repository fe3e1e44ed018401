// The floor under the SDE bench (bench/sde.js): what the normals an
// Euler–Maruyama step needs cost by themselves in cubie's CPU lanes, with
// nothing else: no tree, no engine, no drift. The Brownian tree draws a
// decade's nine normals as five Philox4x32-10 blocks per lane, two
// Box–Muller normals a block in double (kernel/cubie/lane_sde.h,
// brownian_draw<double, lane_runs<W>>::group_normals); at dt = 1e-3 a step
// needs 0.9 of them. Timed two ways: the Philox blocks alone, and the
// blocks turned into normals, as the tree does.
//
//   Build: c++ HOST_FLAGS -march=native LANE_FLAGS -I kernel sde_normals_floor.cpp (bench/sde.js does)
//   Run:   sde_normals_floor GROUPS   (decade groups per timing; 4e6 takes about a second)
//   Prints one line of JSON: {"lanes", "philox_ns", "normals_ns"}, each in ns per lane per normal,
//   the best of three timings, and a checksum that keeps the work from being optimised away.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include "cubie/sde.h"

using namespace cubie;

typedef lanes_of<double> lane_real;
constexpr int W = static_cast<int>(sizeof(lane_real) / sizeof(double));
constexpr int B = brownian_decade<double, lane_real>::blocks;
constexpr int PER_BLOCK = philox_normals<double>::count;

template <class F>
static double best_seconds(F&& work) {
  double best = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    work();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s < best) best = s;
  }
  return best;
}

int main(int argc, char** argv) {
  const long groups = argc > 1 ? std::atol(argv[1]) : 4000000L;
  const philox4x32_key key = philox_key_from_seed(20261206ull);
  lane_runs<W> runs;
  for (int l = 0; l < W; ++l) runs.v[l] = static_cast<unsigned int>(l);
  typedef typename lane_words<W>::u64 u64;
  unsigned long long check = 0;
  const double philox = best_seconds([&] {
    u64 acc = u64{};
    for (long g = 0; g < groups; ++g) {
      lane_words<W> c[B];
      for (int b = 0; b < B; ++b) {
        c[b].v[0] = u64{} + static_cast<unsigned long long>(1 + B * g + b);
        c[b].v[1] = u64{};
        c[b].v[2] = u64{};
        for (int l = 0; l < W; ++l) c[b].v[3][l] = runs.v[l];
      }
      lane_philox4x32<W, B>(c, key);
      for (int b = 0; b < B; ++b) acc ^= c[b].v[0] ^ c[b].v[1] ^ c[b].v[2] ^ c[b].v[3];
    }
    check += static_cast<unsigned long long>(acc[0]);
  });
  double sum = 0;
  const double normals = best_seconds([&] {
    lane_real z[B * PER_BLOCK];
    lane_real acc(0.0);
    for (long g = 0; g < groups; ++g) {
      brownian_draw<double, lane_runs<W>>::group_normals<B>(key, static_cast<unsigned long long>(1 + B * g), 0u, runs, z);
      for (int i = 0; i < B * PER_BLOCK; ++i) acc = acc + z[i];
    }
    sum += acc[0];
  });
  const double per = 1e9 / (static_cast<double>(groups) * B * PER_BLOCK * W);
  std::printf("{\"lanes\": %d, \"philox_ns\": %.4f, \"normals_ns\": %.4f, \"checksum\": %.6g}\n", W, philox * per, normals * per,
              sum + static_cast<double>(check % 1000ull));
  return 0;
}
