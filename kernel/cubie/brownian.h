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
// Why decimal: the tree's points are the decimal fractions of the span, in
// normalised time tau = (t - t0) / T in [0, 1] where W = sqrt(T) B. Users
// step and save on decimal grids (dt = 1e-3, saveEvery = 0.1), and a step
// that ends on a tree point needs no deeper level: on a grid of spacing
// T 10^-k each new W costs about one normal, where a dyadic tree asks the
// ~log2(T / (10^-k T)) levels below the step's scale afresh at every step.
// Dyadic grids (2^-j) are tree points down to 2^-decades (10^-k contains
// them); finer ones, like any other time, cost a descent to the leaves.
//
// The tree:
//   - B(0) = 0 and B(1) = Z(block 0);
//   - decade d splits each interval of length 10^-d with known ends into ten
//     tenths, by nine Brownian bridges in a fixed small binary tree (decade
//     splits below): the split of [lo, hi] at m, in tenths, draws
//       P[m] = P[lo] + (m - lo) / (hi - lo) (P[hi] - P[lo])
//              + sqrt((m - lo)(hi - m) / (hi - lo)) sqrt(10^-(d + 1)) Z,
//     the exact conditional law of B(m) given B(lo), B(hi);
//   - below `decades` the path is linear between the two nearest tree points,
//     so the variance missing from a point there is at most T 10^-decades / 4.
// A decade's interval is named by its group, the number formed by the
// digits above it (tau's first d decimal digits), numbered across decades:
// group = (10^d - 1) / 9 + prefix. Its nine normals are blocks
// 1 + group * B .. 1 + group * B + B - 1 (B = ceil(9 / normals per block)),
// counter {block low, block high, process, run}, key the 64-bit seed, the
// splits numbered in the order a left-to-right sweep uses them so that
// consecutive splits share a block.
//
// tau is snapped to a tree point when x = tau 10^decades is within a few
// roundings of an integer (brownian_limits::snap, at most a quarter leaf):
// t = k * dt built by repeated additions or rounded to a float is rarely the
// exact decimal, and a point a hair off the grid would cost a descent to the
// leaves for a value that differs by the hair.
//
// brownian_stack keeps each decade's last interval: its group, the points
// and the normal blocks it has drawn. The next query recomputes only what
// its own digits need below the deepest decade the two share; one that lands
// in the interval where the last one ended (the next step on a grid) reads
// it there without its digits. A fresh descent (at) runs the same code with
// nothing kept, so both give the same bits. CPU lanes draw a decade's
// normals all at once and bridge its nine splits with them.
#ifndef CUBIE_BROWNIAN_H
#define CUBIE_BROWNIAN_H
#include "cubie/platform.h"
#include "cubie/random.h"

namespace cubie {

// Deepest tree: 10^decades must be exact in real, and x = tau 10^decades must
// resolve a leaf to a few parts in a hundred (float: 24 bits).
template <typename real>
struct brownian_limits;
template <>
struct brownian_limits<float> {
  static constexpr int max_decades = 6;
  // A few roundings of t, t0 and tau (see brownian_tree::standard).
  static CUBIE_FN float snap() { return 2.384185791015625e-07f; }  // 2^-22
};
template <>
struct brownian_limits<double> {
  static constexpr int max_decades = 15;
  // Also the drift of t summed over 10^5 steps.
  static CUBIE_FN double snap() { return 1.4551915228366852e-11; }  // 2^-36
};

// The decades a brownian_stack keeps: the default tree (10^-6 of the span)
// fits; a deeper tree's extra decades are computed afresh at every query.
constexpr int brownian_stack_decades = 8;

// 10^k as an integer, k <= 19.
CUBIE_FN unsigned long long brownian_pow10(int k) {
  unsigned long long p = 1ull;
  for (int i = 0; i < k; ++i) p *= 10ull;
  return p;
}

// sqrt(10^-k) for k = 1 .. 16, correctly rounded: the standard deviation scale of decade k - 1's splits.
template <typename real>
CUBIE_FN real brownian_decade_sd(int k) {
  switch (k) {
    case 1: return real(0.31622776601683793320);
    case 2: return real(0.1);
    case 3: return real(0.031622776601683793320);
    case 4: return real(0.01);
    case 5: return real(0.0031622776601683793320);
    case 6: return real(0.001);
    case 7: return real(0.00031622776601683793320);
    case 8: return real(0.0001);
    case 9: return real(3.1622776601683793320e-05);
    case 10: return real(1e-05);
    case 11: return real(3.1622776601683793320e-06);
    case 12: return real(1e-06);
    case 13: return real(3.1622776601683793320e-07);
    case 14: return real(1e-07);
    case 15: return real(3.1622776601683793320e-08);
    default: return real(1e-08);
  }
}

// A decade's ten tenths as a binary tree of nine splits. Split s divides
// [lo, hi] (in tenths) at mid; s numbers them in the order a sweep of the
// digits 0..9 first needs them:
//   s:   0  1  2  3  4  5  6  7  8
//   lo:  0  0  0  2  3  5  5  7  8
//   mid: 5  2  1  3  4  7  6  8  9
//   hi: 10  5  2  5  5 10  7 10 10
struct brownian_split {
  int lo, mid, hi;
};
CUBIE_FN brownian_split brownian_split_of(int s) {
  switch (s) {
    case 0: return {0, 5, 10};
    case 1: return {0, 2, 5};
    case 2: return {0, 1, 2};
    case 3: return {2, 3, 5};
    case 4: return {3, 4, 5};
    case 5: return {5, 7, 10};
    case 6: return {5, 6, 7};
    case 7: return {7, 8, 10};
    default: return {8, 9, 10};
  }
}
// (mid - lo) / (hi - lo) and sqrt((mid - lo)(hi - mid) / (hi - lo)) of split s.
template <typename real>
CUBIE_FN real brownian_split_weight(int s) {
  switch (s) {
    case 0: case 2: case 4: case 6: case 8: return real(0.5);
    case 1: case 5: return real(0.4);
    default: return real(0.33333333333333333333);
  }
}
template <typename real>
CUBIE_FN real brownian_split_sd(int s) {
  switch (s) {
    case 0: return real(1.5811388300841896660);  // sqrt(5 * 5 / 10)
    case 1: case 5: return real(1.0954451150103322269);  // sqrt(2 * 3 / 5)
    case 3: case 7: return real(0.81649658092772603273);  // sqrt(1 * 2 / 3)
    default: return real(0.70710678118654752440);  // sqrt(1 * 1 / 2)
  }
}
// The splits on the way to the tenth [c, c + 1], packed four bits each, first split lowest, 0xF ends.
CUBIE_FN unsigned int brownian_path_to_tenth(int c) {
  switch (c) {
    case 0: return 0xF210u;
    case 1: return 0xF210u;
    case 2: return 0xF310u;
    case 3: return 0x4310u;
    case 4: return 0x4310u;
    case 5: return 0xF650u;
    case 6: return 0xF650u;
    case 7: return 0xF750u;
    case 8: return 0x8750u;
    default: return 0x8750u;
  }
}
// The splits on the way to the point c (1..9) of a decade, the last one's mid is c.
CUBIE_FN unsigned int brownian_path_to_point(int c) {
  switch (c) {
    case 1: return 0xF210u;
    case 2: return 0xFF10u;
    case 3: return 0xF310u;
    case 4: return 0x4310u;
    case 5: return 0xFFF0u;
    case 6: return 0xF650u;
    case 7: return 0xFF50u;
    case 8: return 0xF750u;
    default: return 0x8750u;
  }
}

// One decade's interval as a stack keeps it. V is what a point's value is:
// real, or in CPU lanes a vector of them, one run per lane (lane_sde.h).
template <typename real, typename V = real>
struct brownian_decade {
  static constexpr int per_block = philox_normals<real>::count;
  static constexpr int blocks = (9 + per_block - 1) / per_block;
  unsigned long long group;  // ~0: nothing kept
  unsigned int known;        // bit k: P[k] is set
  unsigned int loaded;       // bit b: block b's normals are in z
  V P[11];
  V z[blocks * per_block];

  CUBIE_FN void reset(unsigned long long g, const V& left, const V& right) {
    group = g;
    known = 1u | (1u << 10);
    loaded = 0u;
    P[0] = left;
    P[10] = right;
  }
};

// The kept descent (see above). C = 0: a fresh descent, nothing kept.
template <typename real, int C, typename V = real>
struct brownian_stack {
  brownian_decade<real, V> decade[C > 0 ? C : 1];
  bool has_root = false;
  V root;  // B(1)
  // Where the last full descent ended: the kept decade near_decade's interval whose left end is
  // the tree point near_left (in leaves, like K below), near_unit = 10^(decades - 1 - near_decade)
  // leaves a tenth. A query that lands in the same interval reads it there (standard), skipping
  // the digits and the decades above, which it shares; -1: none.
  int near_decade = -1;
  real near_left = real(0);
  real near_unit = real(1);
  real near_inv_unit = real(1);

  CUBIE_FN brownian_stack() {
    CUBIE_UNROLL for (int d = 0; d < (C > 0 ? C : 1); ++d) decade[d].group = ~0ull;
  }
};

// Where a tree's normals come from: Philox blocks of one run. CPU lanes
// specialise it for one run per lane (lane_sde.h), with the same bits per lane.
template <typename real, typename Runs>
struct brownian_draw {
  typedef real value;
  // A group's blocks one at a time, as its splits need them (a step on a decimal grid uses them all;
  // an adaptive step a few): lanes draw the whole group at once instead (lane_sde.h).
  static constexpr bool whole_groups = false;
  static CUBIE_FN void normals(const philox4x32_key& key, unsigned long long block, unsigned int process, unsigned int run, real* z) {
    philox4x32_words c;
    c.v[0] = static_cast<unsigned int>(block);
    c.v[1] = static_cast<unsigned int>(block >> 32);
    c.v[2] = process;
    c.v[3] = run;
    philox_normals<real>::from(philox4x32(c, key), z);
  }
};

template <typename real, typename Runs = unsigned int>
struct brownian_tree {
  typedef brownian_draw<real, Runs> draw;
  typedef typename draw::value value;
  static constexpr int per_block = philox_normals<real>::count;
  static constexpr int blocks_per_group = brownian_decade<real, value>::blocks;
  philox4x32_key key;
  Runs run;
  real t0;
  real duration;
  real inv_duration;  // tau by a multiply: within a few roundings either way, which snap() allows for
  real sqrt_duration;
  real scale;  // 10^decades
  int decades;

  // The decades needed so that tree points are at most `tolerance` apart in t
  // (clamped to [1, max_decades]); tolerance <= 0 asks for the deepest tree.
  // A tolerance of exactly span * 10^-k gives k decades, whatever the roundings of 0.1.
  static CUBIE_FN int decades_for(real duration, real tolerance) {
    int decades = 1;
    real spacing = duration * real(0.1);
    while (decades < brownian_limits<real>::max_decades && !(spacing <= tolerance * real(1.001))) {
      spacing *= real(0.1);
      ++decades;
    }
    return decades;
  }

  static CUBIE_FN brownian_tree make(unsigned long long seed, const Runs& run, real t0, real duration, real tolerance) {
    brownian_tree tree;
    tree.key = philox_key_from_seed(seed);
    tree.run = run;
    tree.t0 = t0;
    tree.duration = duration;
    tree.inv_duration = real(1) / duration;
    tree.sqrt_duration = sqrt(duration);
    tree.decades = decades_for(duration, tolerance);
    tree.scale = static_cast<real>(brownian_pow10(tree.decades));  // exact
    return tree;
  }

  // The normals of one block for one process: counter {block low, block high, process, run}.
  CUBIE_FN void normals(unsigned long long block, unsigned int process, value* z) const { draw::normals(key, block, process, run, z); }

  // Draws split s of decade d's interval `at`, whose ends are known.
  CUBIE_FN void split(brownian_decade<real, value>& at, int d, int s, unsigned int process) const {
    const brownian_split sp = brownian_split_of(s);
    if (at.known & (1u << sp.mid)) return;
    const unsigned long long first = 1ull + at.group * static_cast<unsigned long long>(blocks_per_group);
    if constexpr (draw::whole_groups) {
      // Lanes draw the whole group at once, so they bridge all nine splits at once too, in one
      // straight line: in this order each split's ends are drawn before it, and each split is the
      // same operations as one at a time, so the same bits.
      draw::template group_normals<blocks_per_group>(key, first, process, run, at.z);
      at.loaded = (1u << blocks_per_group) - 1u;
      CUBIE_UNROLL for (int k = 0; k < 9; ++k) bridge(at, d, k);
      at.known = (1u << 11) - 1u;
    } else {
      const int b = s / per_block;
      if (!(at.loaded & (1u << b))) {
        normals(first + static_cast<unsigned long long>(b), process, at.z + b * per_block);
        at.loaded |= 1u << b;
      }
      bridge(at, d, s);
      at.known |= 1u << sp.mid;
    }
  }

  // P[mid] of split s of decade d's interval from its ends and the split's normal.
  CUBIE_FN void bridge(brownian_decade<real, value>& at, int d, int s) const {
    const brownian_split sp = brownian_split_of(s);
    const value left = at.P[sp.lo];
    at.P[sp.mid] = left + brownian_split_weight<real>(s) * (at.P[sp.hi] - left) +
                   (brownian_split_sd<real>(s) * brownian_decade_sd<real>(d + 1)) * at.z[s];
  }

  CUBIE_FN void walk(brownian_decade<real, value>& at, int d, unsigned int path, unsigned int process) const {
    for (int i = 0; i < 4; ++i) {
      const int s = static_cast<int>((path >> (4 * i)) & 0xFu);
      if (s == 0xF) break;
      split(at, d, s, process);
    }
  }

  // B(tau) on [0, 1], through `stack` (tau outside is clamped: the path is defined on the run's span
  // only). tau = (t - t0) / T is off the exact decimal by roundings of about snap() times
  // (|t| + |t0|) / T + tau, `magnitude`: within that (and a quarter leaf) x = tau 10^decades
  // is taken as the tree point it rounds to.
  template <int C>
  CUBIE_FN value standard(real tau, real magnitude, unsigned int process, brownian_stack<real, C, value>& stack) const {
    if (!(tau > real(0))) return value(real(0));
    if (!stack.has_root) {
      value z[per_block];
      normals(0ull, process, z);
      stack.root = z[0];
      stack.has_root = true;
    }
    if (!(tau < real(1))) return stack.root;
    const real x = tau * scale;
    const real nearest = floor(x + real(0.5));
    const real reach = (magnitude + tau) * scale * brownian_limits<real>::snap();
    const bool on_point = fabs(x - nearest) <= (reach < real(0.25) ? reach : real(0.25));
    const real leaf = on_point ? nearest : floor(x);  // K below, the leaf tau is at or in
    const real frac = on_point ? real(0) : x - floor(x);
    if (on_point && nearest == real(0)) return value(real(0));
    if constexpr (C > 0) {
      // The last descent's interval again (consecutive steps on a grid): the same operations on
      // the same kept points as the descent below, so the same bits. In real arithmetic, which is
      // exact here: leaves are whole numbers below 10^decades, and 10^decades is exact in real.
      const int d = stack.near_decade;
      const real off = leaf - stack.near_left;
      if (d >= 0 && off >= real(0)) {
        const real q = off * stack.near_inv_unit;  // c to within far less than a half
        const unsigned int c = q < real(9.5) ? static_cast<unsigned int>(q + real(0.5)) : 10u;
        if (c <= 9u && static_cast<real>(c) * stack.near_unit == off) {
          brownian_decade<real, value>& at = stack.decade[d];
          if (on_point && c >= 1u) {
            if (!(at.known & (1u << c))) walk(at, d, brownian_path_to_point(static_cast<int>(c)), process);
            return at.P[c];
          }
          if (!on_point && d == decades - 1) {
            if ((at.known & (3u << c)) != (3u << c)) walk(at, d, brownian_path_to_tenth(static_cast<int>(c)), process);
            return at.P[c] + frac * (at.P[c + 1] - at.P[c]);
          }
        }
      }
    }
    const unsigned long long K = static_cast<unsigned long long>(leaf);
    // tau's decimal digits, most significant first (divisions by the constant 10: multiplies,
    // in 32 bits while K fits, as it does for the default 6 decades).
    int digit[brownian_limits<real>::max_decades];
    unsigned long long rest = K;
    int place = decades - 1;
    for (; place >= 0 && rest > 0xffffffffull; --place) {
      digit[place] = static_cast<int>(rest % 10ull);
      rest /= 10ull;
    }
    unsigned int rest32 = static_cast<unsigned int>(rest);
    for (; place >= 0; --place) {
      digit[place] = static_cast<int>(rest32 % 10u);
      rest32 /= 10u;
    }
    if (rest32 != 0u || rest > 0xffffffffull) return stack.root;  // K >= 10^decades: tau rounds to 1
    // A tree point stops at the decade of its last nonzero digit.
    int last = decades - 1;
    if (on_point) {
      while (digit[last] == 0) --last;
    }
    brownian_decade<real, value> scratch;
    scratch.group = ~0ull;
    value left = value(real(0)), right = stack.root;
    unsigned long long prefix = 0ull;  // the digits above decade d
    unsigned long long first = 0ull;   // the first group of decade d: (10^d - 1) / 9
    for (int d = 0; d <= last; ++d) {
      const int c = digit[d];
      const unsigned long long group = first + prefix;
      brownian_decade<real, value>* at = &scratch;
      if constexpr (C > 0) {
        if (d < C) at = &stack.decade[d];
      }
      if (at->group != group) at->reset(group, left, right);
      // A kept interval usually has what this query needs already (an earlier query's digits).
      if (d == last && on_point) {
        if (!(at->known & (1u << c))) walk(*at, d, brownian_path_to_point(c), process);
        remember_interval(stack, d, K, c);
        return at->P[c];
      }
      if ((at->known & (3u << c)) != (3u << c)) walk(*at, d, brownian_path_to_tenth(c), process);
      left = at->P[c];
      right = at->P[c + 1];
      prefix = prefix * 10ull + static_cast<unsigned long long>(c);
      first = first * 10ull + 1ull;
    }
    remember_interval(stack, decades - 1, K, digit[decades - 1]);
    return left + frac * (right - left);
  }

  // Records decade d's interval holding leaf K (digit c there) for standard's shortcut, where the stack keeps d.
  template <int C>
  CUBIE_FN void remember_interval(brownian_stack<real, C, value>& stack, int d, unsigned long long K, int c) const {
    if constexpr (C > 0) {
      if (d >= C) {
        stack.near_decade = -1;
        return;
      }
      const unsigned long long unit = brownian_pow10(decades - 1 - d);
      stack.near_decade = d;
      stack.near_unit = static_cast<real>(unit);
      stack.near_left = static_cast<real>(K - static_cast<unsigned long long>(c) * unit);
      stack.near_inv_unit = real(1) / static_cast<real>(unit);
    }
  }

  // W(t) for one process through a stack that belongs to this tree and process.
  template <int C>
  CUBIE_FN value at(real t, unsigned int process, brownian_stack<real, C, value>& stack) const {
    return sqrt_duration * standard((t - t0) * inv_duration, (fabs(t) + fabs(t0)) * inv_duration, process, stack);
  }

  // W(t) for one process, a fresh descent.
  CUBIE_FN value at(real t, unsigned int process) const {
    brownian_stack<real, 0, value> fresh;
    return at(t, process, fresh);
  }

  // dW over [ta, tb] for processes 0..M-1: W(tb) - W(ta).
  template <int M>
  CUBIE_FN void increment(real ta, real tb, value* __restrict__ dW) const {
    CUBIE_UNROLL for (int j = 0; j < M; ++j) dW[j] = at(tb, static_cast<unsigned int>(j)) - at(ta, static_cast<unsigned int>(j));
  }
};

}  // namespace cubie
#endif
