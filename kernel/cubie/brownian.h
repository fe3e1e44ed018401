// A Brownian path that does not depend on the step sequence: a virtual
// Brownian tree (Gaines & Lyons 1997; Kidger et al. 2021, Diffrax's
// VirtualBrownianTree), keyed by Philox counters.
//
// W(t) for run r, process j under seed s is a pure function of (s, r, j, t):
// nothing is stored and nothing depends on which times were asked before.
// So any partition of [t0, t0 + T] gives increments W(t_b) - W(t_a) that
// telescope to the same W(t0 + T), a rejected or halved step sees the same
// path, and so do other dt, thread counts, chunks, shards and devices.
//
// The tree, in normalised time tau = (t - t0) / T in [0, 1] where W = sqrt(T) B:
//   - B(0) = 0 and B(1) = Z(node 0);
//   - an interval [s, u] of depth d (length 2^-d) with known B(s), B(u) has
//     its midpoint m drawn from the Brownian bridge:
//       B(m) = (B(s) + B(u)) / 2 + sqrt(2^-d) / 2 * Z(node),
//     node = 2^d + k for the k-th interval of depth d (heap numbering, so
//     every midpoint has its own counter);
//   - below `levels` the path is linear between the two nearest tree
//     points. The interval there is T * 2^-levels long, so the variance
//     missing from a point between two tree points is at most T 2^-levels / 4.
// Dyadic points are exact in both precisions, so tau hits tree points
// exactly. Each point costs `levels` Philox blocks per process.
//
// Counter words: {node low, node high, process, run}; key: the 64-bit seed.
// One normal is taken per block (the first), which keeps node -> number
// simple; the spare normals are not worth the bookkeeping yet.
#ifndef CUBIE_BROWNIAN_H
#define CUBIE_BROWNIAN_H
#include "cubie/platform.h"
#include "cubie/random.h"

namespace cubie {

// Deepest tree: the dyadic points must stay exact in tau (float: 24 bits,
// double: 53), and the node number must fit in 64 bits.
template <typename real>
struct brownian_limits;
template <>
struct brownian_limits<float> {
  static constexpr int max_levels = 22;
};
template <>
struct brownian_limits<double> {
  static constexpr int max_levels = 50;
};

template <typename real>
struct brownian_tree {
  philox4x32_key key;
  unsigned int run;
  real t0;
  real duration;
  real sqrt_duration;
  int levels;

  // The levels needed so that tree points are at most `tolerance` apart in t
  // (clamped to [1, max_levels]); tolerance <= 0 asks for the deepest tree.
  static CUBIE_FN int levels_for(real duration, real tolerance) {
    int levels = 1;
    real spacing = duration * real(0.5);
    while (levels < brownian_limits<real>::max_levels && !(spacing <= tolerance)) {
      spacing *= real(0.5);
      ++levels;
    }
    return levels;
  }

  static CUBIE_FN brownian_tree make(unsigned long long seed, unsigned int run, real t0, real duration, real tolerance) {
    brownian_tree tree;
    tree.key = philox_key_from_seed(seed);
    tree.run = run;
    tree.t0 = t0;
    tree.duration = duration;
    tree.sqrt_duration = sqrt(duration);
    tree.levels = levels_for(duration, tolerance);
    return tree;
  }

  // The standard normal of one tree node for one process.
  CUBIE_FN real node_normal(unsigned long long node, unsigned int process) const {
    philox4x32_words counter;
    counter.v[0] = static_cast<unsigned int>(node);
    counter.v[1] = static_cast<unsigned int>(node >> 32);
    counter.v[2] = process;
    counter.v[3] = run;
    real z[philox_normals<real>::count];
    philox_normals<real>::from(philox4x32(counter, key), z);
    return z[0];
  }

  // B(tau) on [0, 1] (tau outside is clamped: the path is defined on the run's span only).
  CUBIE_FN real standard(real tau, unsigned int process) const {
    if (!(tau > real(0))) return real(0);
    const real b1 = node_normal(0ull, process);
    if (!(tau < real(1))) return b1;
    real s = real(0), u = real(1), bs = real(0), bu = b1;
    real half_sd = real(0.5);  // sqrt(2^-d) / 2 at depth d
    unsigned long long node = 1ull;
    for (int d = 0; d < levels; ++d) {
      const real m = (s + u) * real(0.5);
      const real bm = (bs + bu) * real(0.5) + half_sd * node_normal(node, process);
      if (tau == m) return bm;
      if (tau < m) {
        u = m;
        bu = bm;
        node = 2ull * node;
      } else {
        s = m;
        bs = bm;
        node = 2ull * node + 1ull;
      }
      // Each level halves the interval, so the bridge's sd shrinks by sqrt(2).
      half_sd *= real(0.70710678118654752440);
    }
    return bs + (tau - s) / (u - s) * (bu - bs);
  }

  // W(t) for one process.
  CUBIE_FN real at(real t, unsigned int process) const {
    return sqrt_duration * standard((t - t0) / duration, process);
  }

  // dW over [ta, tb] for processes 0..M-1: W(tb) - W(ta).
  template <int M>
  CUBIE_FN void increment(real ta, real tb, real* __restrict__ dW) const {
    CUBIE_UNROLL for (int j = 0; j < M; ++j) dW[j] = at(tb, static_cast<unsigned int>(j)) - at(ta, static_cast<unsigned int>(j));
  }
};

}  // namespace cubie
#endif
