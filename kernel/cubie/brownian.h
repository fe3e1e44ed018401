// A Brownian path that does not depend on the step sequence: a virtual
// Brownian tree (Gaines & Lyons 1997; Kidger et al. 2021, Diffrax's
// VirtualBrownianTree), keyed by Philox counters.
//
// W(t) for run r, process j under seed s is a pure function of (s, r, j, t):
// nothing stored changes a value, and nothing depends on which times were
// asked before. So any partition of [t0, t0 + T] gives increments
// W(t_b) - W(t_a) that telescope to the same W(t0 + T), a rejected or halved
// step sees the same path, and so do other dt, thread counts, chunks, shards
// and devices.
//
// The tree, in normalised time tau = (t - t0) / T in [0, 1] where W = sqrt(T) B:
//   - B(0) = 0 and B(1) = Z(node 0);
//   - an interval [s, u] of depth d (length 2^-d) with known B(s), B(u) has
//     its midpoint m drawn from the Brownian bridge:
//       B(m) = (B(s) + B(u)) / 2 + sqrt(2^-d) / 2 * Z(node),
//     node = 2^d + k for the k-th interval of depth d (heap numbering, so
//     every midpoint has its own normal);
//   - below `levels` the path is linear between the two nearest tree
//     points. The interval there is T * 2^-levels long, so the variance
//     missing from a point between two tree points is at most T 2^-levels / 4.
// Dyadic points are exact in both precisions, so tau hits tree points
// exactly, and the descent stops at the level of the point (a step on a
// dyadic grid needs no deeper level). The path to tau is read off the bits of
// K = floor(tau 2^levels): the interval of depth d is K >> (levels - d).
//
// Normals: one Philox block gives philox_normals<real>::count normals (2 for
// double, 4 for float), the normals of that many consecutive nodes: node n is
// normal n % count of block n / count, counter {block low, block high,
// process, run}, key the 64-bit seed. Consecutive nodes of one level are
// neighbouring intervals, which time-ordered queries visit one after the
// other, so a cached block serves them all.
//
// brownian_stack keeps the last descent (the intervals on the path and each
// level's block), so that the next query recomputes only the levels below
// the deepest interval the two share: monotone queries t_1 < t_2 < ... spaced
// h apart cost about levels - log2(T / h) + 1 levels each, and queries on a
// dyadic grid of spacing T 2^-j about one node each on average. A fresh
// descent (at) runs the same code with nothing cached, so both give the same
// bits.
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

// The levels a brownian_stack keeps: the default tree (2^-20 of the span)
// fits; a deeper tree's extra levels are computed afresh at every query.
constexpr int brownian_stack_levels = 24;

// sqrt(2^-d) / 2, the bridge's standard deviation at depth d over 2: a power
// of two, times sqrt(1/2) at odd depths (one rounding, the same at every call).
template <typename real>
CUBIE_FN real brownian_half_sd(int d) {
  const real power = real(1) / static_cast<real>(1ull << ((d >> 1) + 1));  // exact
  return (d & 1) ? power * real(0.70710678118654752440) : power;
}

// The index of the highest set bit of v != 0, and the number of trailing zeros of v != 0.
CUBIE_FN int brownian_high_bit(unsigned long long v) {
#if CUBIE_DEVICE
  return 63 - __clzll(static_cast<long long>(v));
#else
  return 63 - __builtin_clzll(v);
#endif
}
CUBIE_FN int brownian_trailing_zeros(unsigned long long v) {
#if CUBIE_DEVICE
  return __ffsll(static_cast<long long>(v)) - 1;
#else
  return __builtin_ctzll(v);
#endif
}

// The cache of descents (see above). C = 0: a fresh descent, nothing kept.
template <typename real, int C>
struct brownian_stack {
  static constexpr int per_block = philox_normals<real>::count;
  static constexpr int blocks = C > 0 ? C : 1;
  // The intervals on the last path: depth d for d < depth, B at their ends.
  unsigned long long leaf = 0ull;  // K of the last query
  int depth = 0;
  real bs[C + 1];
  real bu[C + 1];
  // Each level's last block and its normals (block numbers are below 2^62, so ~0 is none).
  unsigned long long block[blocks];
  real z[blocks][per_block];

  CUBIE_FN brownian_stack() {
    CUBIE_UNROLL for (int d = 0; d < blocks; ++d) block[d] = ~0ull;
  }
};

template <typename real>
struct brownian_tree {
  static constexpr int per_block = philox_normals<real>::count;
  philox4x32_key key;
  unsigned int run;
  real t0;
  real duration;
  real sqrt_duration;
  real scale;  // 2^levels
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
    tree.scale = static_cast<real>(1ull << tree.levels);  // exact
    return tree;
  }

  // The Philox counter of one block of nodes for one process.
  CUBIE_FN philox4x32_words counter(unsigned long long block, unsigned int process) const {
    philox4x32_words c;
    c.v[0] = static_cast<unsigned int>(block);
    c.v[1] = static_cast<unsigned int>(block >> 32);
    c.v[2] = process;
    c.v[3] = run;
    return c;
  }

  // The normals of one block of nodes for one process.
  CUBIE_FN void normals(unsigned long long block, unsigned int process, real* z) const {
    philox_normals<real>::from(philox4x32(counter(block, process), key), z);
  }

  // B(tau) on [0, 1], through `stack` (tau outside is clamped: the path is defined on the run's span only).
  template <int C>
  CUBIE_FN real standard(real tau, unsigned int process, brownian_stack<real, C>& stack) const {
    if (!(tau > real(0))) return real(0);
    // The root's interval [0, 1] with B(1) = Z(node 0).
    if (stack.depth == 0) {
      real z[per_block];
      const real* root = z;
      if constexpr (C > 0) {
        if (stack.block[0] != 0ull) {
          stack.block[0] = 0ull;
          normals(0ull, process, stack.z[0]);
        }
        root = stack.z[0];
      } else {
        normals(0ull, process, z);
      }
      stack.bs[0] = real(0);
      stack.bu[0] = root[0];
      stack.depth = 1;
      stack.leaf = 0ull;
    }
    if (!(tau < real(1))) return stack.bu[0];
    const real x = tau * scale;  // exact: a power of two
    const unsigned long long K = static_cast<unsigned long long>(x);
    const real frac = x - static_cast<real>(K);  // exact
    // A tree point K / 2^levels is the midpoint of level levels - 1 - (trailing zeros of K): stop there.
    const bool on_point = frac == real(0);
    const int last = on_point ? levels - 1 - brownian_trailing_zeros(K) : levels - 1;
    // The deepest interval the last path shares with this one.
    int d0 = stack.depth - 1;
    const unsigned long long differ = K ^ stack.leaf;
    if (differ != 0ull) {
      const int shared = levels - 1 - brownian_high_bit(differ);
      if (shared < d0) d0 = shared;
    }
    // Tree points stop at their level's midpoint; other points need the interval at depth `levels`.
    const int end = last + 1;  // the levels d0 .. last are drawn
    if (d0 > end) d0 = end;
    // The blocks of the levels not cached first: their Philox rounds do not depend on each
    // other (so they overlap), then their normals, then the bridge.
    if constexpr (C > 0) {
      const int top = end < C ? end : C;
      int missing[C];
      int n = 0;
      for (int d = d0; d < top; ++d) {
        const unsigned long long b = ((1ull << d) + (K >> (levels - d))) / per_block;
        if (stack.block[d] != b) {
          stack.block[d] = b;
          missing[n++] = d;
        }
      }
      philox4x32_words words[C];
      for (int i = 0; i < n; ++i) words[i] = philox4x32(counter(stack.block[missing[i]], process), key);
      for (int i = 0; i < n; ++i) philox_normals<real>::from(words[i], stack.z[missing[i]]);
    }
    real bs = stack.bs[d0 < C ? d0 : C];
    real bu = stack.bu[d0 < C ? d0 : C];
    for (int d = d0; d < end; ++d) {
      const unsigned long long node = (1ull << d) + (K >> (levels - d));
      real z_fresh[per_block];
      const real* z = z_fresh;
      bool cached = false;
      if constexpr (C > 0) {
        if (d < C) {
          z = stack.z[d];
          cached = true;
        }
      }
      if (!cached) normals(node / per_block, process, z_fresh);
      const real bm = (bs + bu) * real(0.5) + brownian_half_sd<real>(d) * z[node % per_block];
      if ((K >> (levels - 1 - d)) & 1ull) {
        bs = bm;
      } else {
        bu = bm;
      }
      if constexpr (C > 0) {
        if (d + 1 <= C) {
          stack.bs[d + 1] = bs;
          stack.bu[d + 1] = bu;
        }
      }
    }
    const int kept = end < C ? end : C;
    stack.depth = (d0 > kept ? d0 : kept) + 1;
    stack.leaf = K;
    // A tree point is its level's midpoint, the left end of the interval below it (its bit of K is 1).
    if (on_point) return bs;
    return bs + frac * (bu - bs);
  }

  // W(t) for one process through a stack that belongs to this tree and process.
  template <int C>
  CUBIE_FN real at(real t, unsigned int process, brownian_stack<real, C>& stack) const {
    return sqrt_duration * standard((t - t0) / duration, process, stack);
  }

  // W(t) for one process, a fresh descent.
  CUBIE_FN real at(real t, unsigned int process) const {
    brownian_stack<real, 0> fresh;
    return at(t, process, fresh);
  }

  // dW over [ta, tb] for processes 0..M-1: W(tb) - W(ta).
  template <int M>
  CUBIE_FN void increment(real ta, real tb, real* __restrict__ dW) const {
    CUBIE_UNROLL for (int j = 0; j < M; ++j) dW[j] = at(tb, static_cast<unsigned int>(j)) - at(ta, static_cast<unsigned int>(j));
  }
};

}  // namespace cubie
#endif
