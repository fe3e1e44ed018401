// What a stochastic stepper keeps between steps: the run's Brownian tree
// (made once per run), each process's last descent of it (brownian_stack:
// the next W(t) draws only what its own digits need below the deepest decade
// the two times share), and W at the start and at the end of its last step, so that
// an accepted step's end is the next step's start and a rejected step's retry
// starts from the same W. W is a pure function of t (brownian.h), so the
// cache only saves work: a miss recomputes the same values.
#ifndef CUBIE_SDE_H
#define CUBIE_SDE_H
#include "cubie/brownian.h"
#include "cubie/platform.h"

namespace cubie {

// What a WienerCache of `real` holds and reads: one run here; in CPU lanes
// (lane_sde.h) W runs sharing their times, read at the lead lane.
template <typename real>
struct wiener_lanes {
  typedef real scalar;        // the tree's arithmetic
  typedef unsigned int runs;  // the Philox run word(s)
  typedef double time;        // what the stepper passes for t
  static CUBIE_FN double shared(double t, int) { return t; }
  template <class Ctx>
  static CUBIE_FN int lead(const Ctx&) { return 0; }
};

// Plain: 0 everywhere but in CPU lanes, whose WienerCache (lane_sde.h) builds
// on this one's code with Plain = 1 and adds each lane's own cache.
template <typename real, int M, int Plain = 0>
struct WienerCache {
  typedef wiener_lanes<real> L;
  typedef typename L::scalar scalar;
  typedef brownian_tree<scalar, typename L::runs> Tree;
  bool has_tree = false;
  int lead = 0;
  Tree path;
  brownian_stack<scalar, brownian_stack_decades, real> stack[M];
  // Times as the stepper asked for them, valid once set.
  bool has_start = false;
  bool has_end = false;
  double t_start = 0.0;
  double t_end = 0.0;
  real w_start[M];
  real w_end[M];

  // The run's tree, made at the first step.
  template <class Ctx>
  CUBIE_FN const Tree& tree(const Ctx& ctx) {
    lead = L::lead(ctx);
    if (!has_tree) {
      path = ctx.brownian();
      has_tree = true;
    }
    return path;
  }

  // W_j(t) of the run's path, through process j's stack.
  CUBIE_FN real at(const typename L::time& t, int j) {
    return path.at(static_cast<scalar>(L::shared(t, lead)), static_cast<unsigned int>(j), stack[j]);
  }

  // dW[j] = W_j(tb) - W_j(ta) for the M processes (after tree()).
  CUBIE_FN void increment(const typename L::time& ta_asked, const typename L::time& tb_asked, real* __restrict__ dW) {
    const double ta = L::shared(ta_asked, lead), tb = L::shared(tb_asked, lead);
    if (has_end && ta == t_end) {
      // The last step was accepted: its end is this step's start.
      t_start = t_end;
      CUBIE_UNROLL for (int j = 0; j < M; ++j) w_start[j] = w_end[j];
    } else if (!has_start || ta != t_start) {
      t_start = ta;
      CUBIE_UNROLL for (int j = 0; j < M; ++j) w_start[j] = at(ta_asked, j);
    }
    has_start = true;
    if (!has_end || tb != t_end) {
      has_end = true;
      t_end = tb;
      CUBIE_UNROLL for (int j = 0; j < M; ++j) w_end[j] = at(tb_asked, j);
    }
    CUBIE_UNROLL for (int j = 0; j < M; ++j) dW[j] = w_end[j] - w_start[j];
  }

  // A new run (CPU lanes sharing one descent refill all their lanes together, so all start afresh).
  CUBIE_FN void reset_lane(int) {
    has_tree = has_start = has_end = false;
    CUBIE_UNROLL for (int j = 0; j < M; ++j) stack[j] = brownian_stack<scalar, brownian_stack_decades, real>();
  }
};

}  // namespace cubie
#if CUBIE_LANE_BUILD
#include "cubie/lane_sde.h"
#endif
#endif
