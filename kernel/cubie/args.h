// The kernel's one argument: run-time settings as doubles and buffer
// pointers, in slots whose order src/solver/kernel-args.ts mirrors. Both the
// CUDA launch and the CPU runner pass it the same way, so one generated
// source serves both. Bump kAbiVersion whenever a slot moves.
#ifndef CUBIE_ARGS_H
#define CUBIE_ARGS_H
#include "cubie/platform.h"

namespace cubie {

constexpr int kAbiVersion = 5;

enum ScalarSlot {
  S_N_RUNS = 0,
  S_T0,
  S_DURATION,
  S_SETTLING_TIME,
  S_SAVE_EVERY,        // informational: save times come from B_SAVE_TIMES
  S_N_SAVES,
  S_SAMPLES_PER_WINDOW,
  S_N_WINDOWS,
  S_DT,
  S_DT_MIN,
  S_DT_MAX,
  S_SAFETY,
  S_MIN_GAIN,
  S_MAX_GAIN,
  S_KP,
  S_KI,
  S_KD,
  S_MAX_STEPS,
  S_NEWTON_TOL,        // implicit methods: Newton converges when the scaled update norm is below this
  S_NEWTON_MAX_ITERS,
  S_LINEAR_TOL,        // matrix-free Krylov solves: relative residual
  S_LINEAR_MAX_ITERS,
  S_DRIVER_KNOTS,      // sampled drivers: number of knots (0: no drivers)
  S_DRIVER_UNIFORM_DT, // > 0: knots are t_k = knot[0] + k*dt, found by division instead of search
  S_DRIVER_PERIODIC,   // 1: time wraps around the sampled period
  S_MAX_EVENTS,        // a run with more events stops with STATUS_TOO_MANY_EVENTS (Zeno guard)
  S_MAX_EVENT_RECORDS, // event records kept per run (B_EVENT_*)
  S_EVENT_TOLERANCE,   // > 0: width in time to which a crossing is located; 0: as narrow as the precision allows
  S_SEED_HIGH,         // noise: the seed's high 32 bits (a double holds them exactly; the seed is up to 2^53 - 1)
  S_SEED_LOW,          // noise: the seed's low 32 bits
  S_BROWNIAN_TOLERANCE,// noise: the Brownian tree's point spacing in t (brownian.h levels_for); 0: the deepest tree
  S_COUNT
};

enum BufferSlot {
  B_STATE_OUT = 0,  // real[n_saves][n_saved][n_runs]
  B_SUMMARY_OUT,    // real[n_windows][n_columns][n_runs]
  B_STATUS,         // int32[n_runs]
  B_COUNTERS,       // int32[n_counters][n_runs]
  B_ATOL,           // real[n_states]
  B_RTOL,           // real[n_states]
  B_DRIVER_KNOTS,   // double[n_knots]
  B_DRIVER_COEFFS,  // real[n_drivers][n_knots - 1][4]: a + b s + c s^2 + d s^3, s = t - knot[i]
  B_SAVE_TIMES,     // double[n_saves], ascending: the grid of saveEvery, or saveAt as given
  B_EVENT_AT_TIMES, // double[]: every `at` event's times, in event order (cubie_events::at_offset)
  B_EVENT_COUNT,    // int32[n_runs]: events that occurred (may exceed the records kept)
  B_EVENT_TIME,     // double[max_event_records][n_runs]
  B_EVENT_WHICH,    // int32[max_event_records][n_runs]: the event's index; -1 past the last
  B_EVENT_STATE,    // real[max_event_records][n_states][n_runs]: the state just before the assignment
  B_RUN_INDEX,      // double[n_runs], noise only: each run's index in the whole batch, its Brownian stream
                    // (a chunk or shard sees the same path as the whole batch); null without noise
  B_FIXED_COUNT     // then y0 of each state, then each parameter: real[n_runs] apiece
};

// Per-run status bits; 0 is success.
enum StatusBit {
  STATUS_MAX_STEPS = 1,
  STATUS_DT_UNDERFLOW = 2,
  STATUS_NONFINITE = 4,
  STATUS_NEWTON_FAILED = 8,
  STATUS_TERMINATED = 16,       // a terminal event ended the run: a success
  STATUS_TOO_MANY_EVENTS = 32,  // more than maxEvents events
  STATUS_DELAY = 64,            // delay(): a lag not positive or under the fixed dt, or a past older than the history kept
};

enum CounterSlot {
  C_ACCEPTED = 0,
  C_REJECTED,
  C_RHS_EVALUATIONS,
  C_JACOBIAN_EVALUATIONS,
  C_NEWTON_ITERATIONS,
  C_LINEAR_ITERATIONS,
  C_FACTORIZATIONS,
  C_COUNT
};

template <int NBuffers>
struct KernelArgs {
  double s[S_COUNT];
  void* b[NBuffers];
};

// Reading a slot of the kernel argument where the value is used. On the GPU
// an ordinary read is hoisted out of the step loop by the compiler, and every
// setting then holds a register for the whole run (Lorenz/tsit5 went from 56
// to 72 registers that way). A read it may not move (asm volatile) is served
// from the constant bank at each use and holds nothing. The symbol is the
// name PTX gives the one parameter of cubie_integrate (engine.h).
// CUBIE_PLAIN_ARG_READS compiles ordinary reads instead, so that a test can
// compare the parameter offsets of both builds (test/cuda/arg-reads.test.ts).
#if CUBIE_DEVICE && !defined(CUBIE_PLAIN_ARG_READS)
#define CUBIE_ASM_ARG_READS 1
#else
#define CUBIE_ASM_ARG_READS 0
#endif

template <int Slot, int NBuffers>
CUBIE_FN double scalar_arg(const KernelArgs<NBuffers>& a) {
  static_assert(Slot >= 0 && Slot < S_COUNT, "scalar slot out of range");
#if CUBIE_ASM_ARG_READS
  (void)a;
  double v;
  asm volatile("ld.param.f64 %0, [cubie_integrate_param_0+%1];" : "=d"(v) : "n"(Slot * 8));
  return v;
#else
  return a.s[Slot];
#endif
}

template <typename T, int Slot, int NBuffers>
CUBIE_FN T* buffer_arg(const KernelArgs<NBuffers>& a) {
  static_assert(Slot >= 0 && Slot < NBuffers, "buffer slot out of range");
  // s[] then b[], 8 bytes a slot and no padding: buffer Slot is at (S_COUNT + Slot) * 8.
  static_assert(sizeof(void*) == 8 && sizeof(KernelArgs<NBuffers>) == (S_COUNT + NBuffers) * 8, "argument layout");
#if CUBIE_ASM_ARG_READS
  (void)a;
  unsigned long long v;
  asm volatile("ld.param.u64 %0, [cubie_integrate_param_0+%1];" : "=l"(v) : "n"((S_COUNT + Slot) * 8));
  return reinterpret_cast<T*>(v);
#else
  return static_cast<T*>(a.b[Slot]);
#endif
}

}  // namespace cubie
#endif
