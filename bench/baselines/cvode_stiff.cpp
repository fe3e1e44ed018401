// SUNDIALS CVODE baseline for cubie's benchmark (bench/cvode.js): an ensemble
// of stiff IVP Test Set problems (ROBER, HIRES, POLLU) integrated one run
// after another on one thread with CVODE's BDF method, Newton iteration with a
// dense direct linear solver (SUNDenseMatrix + SUNLinSol_Dense) and an
// analytic Jacobian written out by hand below. It is the library a C user
// would reach for; the bench compares cubie's implicit methods against it.
//
// The right-hand sides are the ones in test/fixtures/stiff/ivp-testset.json
// (the equations cubie compiles), with one rate constant per problem taken
// from the input instead of the fixture:
//   rober  k3 (nominal 1e4)        y' = (-k1 y1 + k3 y2 y3, k1 y1 - k3 y2 y3 - k2 y2^2, k2 y2^2)
//   hires  k  (nominal 280)        the coefficient of y6*y8 in dy6, dy7, dy8
//   pollu  k1 (nominal 0.35)       the NO2 photolysis rate, reaction 1 of 25
//
//   Build: g++ -O3 -march=native cvode_stiff.cpp -o cvode_stiff \
//            -lsundials_cvode -lsundials_nvecserial -lsundials_sunmatrixdense -lsundials_sunlinsoldense
//   Run:   cvode_stiff PROBLEM RTOL ATOL [OUT.bin|-] [REPS] < values
//     PROBLEM  rober | hires | pollu
//     RTOL     scalar relative tolerance; ATOL scalar absolute tolerance
//     values   whitespace-separated values of the perturbed constant, one per run
//     OUT      optional ('-' for none): the final states, little-endian doubles,
//              run-major: y[run][state] (N x n)
//     REPS     times the whole ensemble is integrated (default 1); each is timed
//   cvode_stiff check PROBLEM   compares the analytic Jacobian with central
//              differences of the right-hand side at a few states; prints JSON.
//   Prints one line of JSON: {"sundials", "problem", "runs", "n", "seconds": [per rep],
//   "steps", "rhs", "jac", "setups", "newton", "netf", "ncfn" (totals over the runs
//   of the last rep), "failed" (runs whose CVode call returned < 0)}.
//
// CVODE settings: CVodeCreate(CV_BDF), CVodeSStolerances(rtol, atol), max order 5
// (default), CVodeSetMaxNumSteps(10^7), CVodeSetStopTime(tend) so the last step lands
// on tend (no interpolation), everything else default. The CVODE memory, vector,
// matrix and linear solver are created once before the timed loop; each run is a
// CVodeReInit, CVodeSetStopTime, the user data and one CVode(tend) call, all timed.
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_config.h>
#include <sundials/sundials_types.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#if SUNDIALS_VERSION_MAJOR >= 6
#define CUBIE_HAVE_SUNCONTEXT 1
#endif
#if SUNDIALS_VERSION_MAJOR >= 7
typedef sunrealtype realtype_t;
#else
typedef realtype realtype_t;
#endif

namespace {

struct Problem {
  const char* name;
  int n;
  double tend;
  std::vector<double> y0;
  void (*rhs)(const double* y, double p, double* f);
  // J is column-major with leading dimension n: J[row + n * col].
  void (*jac)(const double* y, double p, double* J);
};

// ---------------------------------------------------------------- ROBER
void rober_rhs(const double* y, double k3, double* f) {
  const double k1 = 0.04, k2 = 3e7;
  f[0] = -k1 * y[0] + k3 * y[1] * y[2];
  f[1] = k1 * y[0] - k3 * y[1] * y[2] - k2 * y[1] * y[1];
  f[2] = k2 * y[1] * y[1];
}
void rober_jac(const double* y, double k3, double* J) {
  const double k1 = 0.04, k2 = 3e7;
  const int n = 3;
#define JA(i, j) J[(i) + n * (j)]
  JA(0, 0) = -k1;
  JA(0, 1) = k3 * y[2];
  JA(0, 2) = k3 * y[1];
  JA(1, 0) = k1;
  JA(1, 1) = -k3 * y[2] - 2 * k2 * y[1];
  JA(1, 2) = -k3 * y[1];
  JA(2, 0) = 0;
  JA(2, 1) = 2 * k2 * y[1];
  JA(2, 2) = 0;
#undef JA
}

// ---------------------------------------------------------------- HIRES
void hires_rhs(const double* y, double k, double* f) {
  f[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
  f[1] = 1.71 * y[0] - 8.75 * y[1];
  f[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
  f[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
  f[4] = -1.745 * y[4] + 0.43 * (y[5] + y[6]);
  f[5] = -k * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
  f[6] = k * y[5] * y[7] - 1.81 * y[6];
  f[7] = -k * y[5] * y[7] + 1.81 * y[6];
}
void hires_jac(const double* y, double k, double* J) {
  const int n = 8;
  std::memset(J, 0, sizeof(double) * n * n);
#define JA(i, j) J[(i) + n * (j)]
  JA(0, 0) = -1.71;
  JA(0, 1) = 0.43;
  JA(0, 2) = 8.32;
  JA(1, 0) = 1.71;
  JA(1, 1) = -8.75;
  JA(2, 2) = -10.03;
  JA(2, 3) = 0.43;
  JA(2, 4) = 0.035;
  JA(3, 1) = 8.32;
  JA(3, 2) = 1.71;
  JA(3, 3) = -1.12;
  JA(4, 4) = -1.745;
  JA(4, 5) = 0.43;
  JA(4, 6) = 0.43;
  JA(5, 3) = 0.69;
  JA(5, 4) = 1.71;
  JA(5, 5) = -k * y[7] - 0.43;
  JA(5, 6) = 0.69;
  JA(5, 7) = -k * y[5];
  JA(6, 5) = k * y[7];
  JA(6, 6) = -1.81;
  JA(6, 7) = k * y[5];
  JA(7, 5) = -k * y[7];
  JA(7, 6) = 1.81;
  JA(7, 7) = -k * y[5];
#undef JA
}

// ---------------------------------------------------------------- POLLU
// k[1..25] from the Test Set's pollu.f; k[1] is the run's value.
void pollu_constants(double k1, double* k) {
  static const double base[26] = {0,       0.35,    26.6,    12300,   0.00086, 0.00082, 15000,  0.00013, 24000,
                                  16500,   9000,    0.022,   12000,   1.88,    16300,   4800000, 0.00035, 0.0175,
                                  1e8,     4.44e11, 1240,    2.1,     5.78,    0.0474,  1780,    3.12};
  std::memcpy(k, base, sizeof(base));
  k[1] = k1;
}
void pollu_rhs(const double* y, double k1, double* f) {
  double k[26], r[26];
  pollu_constants(k1, k);
  r[1] = k[1] * y[0];
  r[2] = k[2] * y[1] * y[3];
  r[3] = k[3] * y[4] * y[1];
  r[4] = k[4] * y[6];
  r[5] = k[5] * y[6];
  r[6] = k[6] * y[6] * y[5];
  r[7] = k[7] * y[8];
  r[8] = k[8] * y[8] * y[5];
  r[9] = k[9] * y[10] * y[1];
  r[10] = k[10] * y[10] * y[0];
  r[11] = k[11] * y[12];
  r[12] = k[12] * y[9] * y[1];
  r[13] = k[13] * y[13];
  r[14] = k[14] * y[0] * y[5];
  r[15] = k[15] * y[2];
  r[16] = k[16] * y[3];
  r[17] = k[17] * y[3];
  r[18] = k[18] * y[15];
  r[19] = k[19] * y[15];
  r[20] = k[20] * y[16] * y[5];
  r[21] = k[21] * y[18];
  r[22] = k[22] * y[18];
  r[23] = k[23] * y[0] * y[3];
  r[24] = k[24] * y[18] * y[0];
  r[25] = k[25] * y[19];
  f[0] = -r[1] - r[10] - r[14] - r[23] - r[24] + r[2] + r[3] + r[9] + r[11] + r[12] + r[22] + r[25];
  f[1] = -r[2] - r[3] - r[9] - r[12] + r[1] + r[21];
  f[2] = -r[15] + r[1] + r[17] + r[19] + r[22];
  f[3] = -r[2] - r[16] - r[17] - r[23] + r[15];
  f[4] = -r[3] + 2 * r[4] + r[6] + r[7] + r[13] + r[20];
  f[5] = -r[6] - r[8] - r[14] - r[20] + r[3] + 2 * r[18];
  f[6] = -r[4] - r[5] - r[6] + r[13];
  f[7] = r[4] + r[5] + r[6] + r[7];
  f[8] = -r[7] - r[8];
  f[9] = -r[12] + r[7] + r[9];
  f[10] = -r[9] - r[10] + r[8] + r[11];
  f[11] = r[9];
  f[12] = -r[11] + r[10];
  f[13] = -r[13] + r[12];
  f[14] = r[14];
  f[15] = -r[18] - r[19] + r[16];
  f[16] = -r[20];
  f[17] = r[20];
  f[18] = -r[21] - r[22] - r[24] + r[23] + r[25];
  f[19] = -r[25] + r[24];
}
void pollu_jac(const double* y, double k1, double* J) {
  const int n = 20;
  double k[26];
  pollu_constants(k1, k);
  std::memset(J, 0, sizeof(double) * n * n);
#define JA(i, j) J[(i) + n * (j)]
  JA(0, 0) = -k[1] - k[10] * y[10] - k[14] * y[5] - k[23] * y[3] - k[24] * y[18];
  JA(0, 1) = k[2] * y[3] + k[3] * y[4] + k[9] * y[10] + k[12] * y[9];
  JA(0, 3) = -k[23] * y[0] + k[2] * y[1];
  JA(0, 4) = k[3] * y[1];
  JA(0, 5) = -k[14] * y[0];
  JA(0, 9) = k[12] * y[1];
  JA(0, 10) = -k[10] * y[0] + k[9] * y[1];
  JA(0, 12) = k[11];
  JA(0, 18) = -k[24] * y[0] + k[22];
  JA(0, 19) = k[25];
  JA(1, 0) = k[1];
  JA(1, 1) = -k[2] * y[3] - k[3] * y[4] - k[9] * y[10] - k[12] * y[9];
  JA(1, 3) = -k[2] * y[1];
  JA(1, 4) = -k[3] * y[1];
  JA(1, 9) = -k[12] * y[1];
  JA(1, 10) = -k[9] * y[1];
  JA(1, 18) = k[21];
  JA(2, 0) = k[1];
  JA(2, 2) = -k[15];
  JA(2, 3) = k[17];
  JA(2, 15) = k[19];
  JA(2, 18) = k[22];
  JA(3, 0) = -k[23] * y[3];
  JA(3, 1) = -k[2] * y[3];
  JA(3, 2) = k[15];
  JA(3, 3) = -k[2] * y[1] - k[16] - k[17] - k[23] * y[0];
  JA(4, 1) = -k[3] * y[4];
  JA(4, 4) = -k[3] * y[1];
  JA(4, 5) = k[6] * y[6] + k[20] * y[16];
  JA(4, 6) = 2 * k[4] + k[6] * y[5];
  JA(4, 8) = k[7];
  JA(4, 13) = k[13];
  JA(4, 16) = k[20] * y[5];
  JA(5, 0) = -k[14] * y[5];
  JA(5, 1) = k[3] * y[4];
  JA(5, 4) = k[3] * y[1];
  JA(5, 5) = -k[6] * y[6] - k[8] * y[8] - k[14] * y[0] - k[20] * y[16];
  JA(5, 6) = -k[6] * y[5];
  JA(5, 8) = -k[8] * y[5];
  JA(5, 15) = 2 * k[18];
  JA(5, 16) = -k[20] * y[5];
  JA(6, 5) = -k[6] * y[6];
  JA(6, 6) = -k[4] - k[5] - k[6] * y[5];
  JA(6, 13) = k[13];
  JA(7, 5) = k[6] * y[6];
  JA(7, 6) = k[4] + k[5] + k[6] * y[5];
  JA(7, 8) = k[7];
  JA(8, 5) = -k[8] * y[8];
  JA(8, 8) = -k[7] - k[8] * y[5];
  JA(9, 1) = -k[12] * y[9] + k[9] * y[10];
  JA(9, 8) = k[7];
  JA(9, 9) = -k[12] * y[1];
  JA(9, 10) = k[9] * y[1];
  JA(10, 0) = -k[10] * y[10];
  JA(10, 1) = -k[9] * y[10];
  JA(10, 5) = k[8] * y[8];
  JA(10, 8) = k[8] * y[5];
  JA(10, 10) = -k[9] * y[1] - k[10] * y[0];
  JA(10, 12) = k[11];
  JA(11, 1) = k[9] * y[10];
  JA(11, 10) = k[9] * y[1];
  JA(12, 0) = k[10] * y[10];
  JA(12, 10) = k[10] * y[0];
  JA(12, 12) = -k[11];
  JA(13, 1) = k[12] * y[9];
  JA(13, 9) = k[12] * y[1];
  JA(13, 13) = -k[13];
  JA(14, 0) = k[14] * y[5];
  JA(14, 5) = k[14] * y[0];
  JA(15, 3) = k[16];
  JA(15, 15) = -k[18] - k[19];
  JA(16, 5) = -k[20] * y[16];
  JA(16, 16) = -k[20] * y[5];
  JA(17, 5) = k[20] * y[16];
  JA(17, 16) = k[20] * y[5];
  JA(18, 0) = -k[24] * y[18] + k[23] * y[3];
  JA(18, 3) = k[23] * y[0];
  JA(18, 18) = -k[21] - k[22] - k[24] * y[0];
  JA(18, 19) = k[25];
  JA(19, 0) = k[24] * y[18];
  JA(19, 18) = k[24] * y[0];
  JA(19, 19) = -k[25];
#undef JA
}

const Problem kProblems[] = {
    {"rober", 3, 1e11, {1, 0, 0}, rober_rhs, rober_jac},
    {"hires", 8, 321.8122, {1, 0, 0, 0, 0, 0, 0, 0.0057}, hires_rhs, hires_jac},
    {"pollu", 20, 60, {0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0}, pollu_rhs, pollu_jac},
};

const Problem* find_problem(const char* name) {
  for (const Problem& p : kProblems)
    if (std::strcmp(p.name, name) == 0) return &p;
  return nullptr;
}

struct UserData {
  const Problem* problem;
  double p;
};

int cv_rhs(realtype_t, N_Vector y, N_Vector ydot, void* user) {
  const UserData* u = static_cast<const UserData*>(user);
  u->problem->rhs(N_VGetArrayPointer(y), u->p, N_VGetArrayPointer(ydot));
  return 0;
}

// SUNDenseMatrix is column-major with leading dimension M (= n): the layout the jac functions write.
int cv_jac(realtype_t, N_Vector y, N_Vector, SUNMatrix J, void* user, N_Vector, N_Vector, N_Vector) {
  const UserData* u = static_cast<const UserData*>(user);
  u->problem->jac(N_VGetArrayPointer(y), u->p, SUNDenseMatrix_Data(J));
  return 0;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "cvode_stiff: %s\n", what);
  std::exit(2);
}

int check(const Problem& p, double value) {
  // States: y0, and y0 plus a positive spread of values. Central differences with
  // h = 1e-7 max(1e-3, |y_j|); an entry passes when it is within 1e-6 |J_ij| plus the
  // differences' rounding noise, about 1e3 eps T_i / h with T_i = sum_k |J_ik y_k| + |f_i|
  // (the size of the terms that cancel in f_i). Prints the worst ratio; passes at <= 1.
  const int n = p.n;
  double worst = 0;
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<double> y(n), f0(n), f1(n), f2(n), J(n * n);
    for (int i = 0; i < n; ++i) y[i] = trial == 0 ? p.y0[i] : p.y0[i] + 0.01 * (1 + ((i * 7 + trial * 3) % 11)) / 11.0;
    p.jac(y.data(), value, J.data());
    p.rhs(y.data(), value, f0.data());
    for (int j = 0; j < n; ++j) {
      const double h = 1e-7 * std::fmax(1e-3, std::fabs(y[j]));
      std::vector<double> yp(y), ym(y);
      yp[j] += h;
      ym[j] -= h;
      p.rhs(yp.data(), value, f1.data());
      p.rhs(ym.data(), value, f2.data());
      for (int i = 0; i < n; ++i) {
        double terms = std::fabs(f0[i]);
        for (int k = 0; k < n; ++k) terms += std::fabs(J[i + n * k] * y[k]);
        const double fd = (f1[i] - f2[i]) / (2 * h);
        const double allowed = 1e-6 * std::fabs(J[i + n * j]) + 1e3 * 2.2e-16 * terms / h + 1e-300;
        worst = std::fmax(worst, std::fabs(fd - J[i + n * j]) / allowed);
      }
    }
  }
  std::printf("{\"problem\":\"%s\",\"worst\":%.3g}\n", p.name, worst);
  return worst <= 1 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "check") == 0) {
    const Problem* p = find_problem(argv[2]);
    if (!p) die("unknown problem");
    const double nominal = std::strcmp(p->name, "rober") == 0 ? 1e4 : std::strcmp(p->name, "hires") == 0 ? 280 : 0.35;
    return check(*p, nominal);
  }
  if (argc < 4) die("usage: cvode_stiff PROBLEM RTOL ATOL [OUT.bin|-] [REPS] < values");
  const Problem* problem = find_problem(argv[1]);
  if (!problem) die("unknown problem (rober, hires, pollu)");
  const double rtol = std::atof(argv[2]);
  const double atol = std::atof(argv[3]);
  const char* out_path = argc > 4 && std::strcmp(argv[4], "-") != 0 ? argv[4] : nullptr;
  const int reps = argc > 5 ? std::atoi(argv[5]) : 1;
  if (!(rtol > 0) || !(atol > 0) || reps < 1) die("bad RTOL, ATOL or REPS");

  std::vector<double> values;
  for (double v; std::cin >> v;) values.push_back(v);
  if (values.empty()) die("no parameter values on stdin");
  const int runs = static_cast<int>(values.size());
  const int n = problem->n;

#ifdef CUBIE_HAVE_SUNCONTEXT
  SUNContext ctx = nullptr;
#if SUNDIALS_VERSION_MAJOR >= 7
  if (SUNContext_Create(SUN_COMM_NULL, &ctx) != 0) die("SUNContext_Create failed");
#else
  if (SUNContext_Create(nullptr, &ctx) != 0) die("SUNContext_Create failed");
#endif
  N_Vector y = N_VNew_Serial(n, ctx);
  SUNMatrix A = SUNDenseMatrix(n, n, ctx);
  SUNLinearSolver LS = SUNLinSol_Dense(y, A, ctx);
  void* mem = CVodeCreate(CV_BDF, ctx);
#else
  N_Vector y = N_VNew_Serial(n);
  SUNMatrix A = SUNDenseMatrix(n, n);
  SUNLinearSolver LS = SUNLinSol_Dense(y, A);
  void* mem = CVodeCreate(CV_BDF);
#endif
  if (!y || !A || !LS || !mem) die("could not create the CVODE objects");
  double* yd = N_VGetArrayPointer(y);
  for (int i = 0; i < n; ++i) yd[i] = problem->y0[i];
  UserData user{problem, values[0]};
  if (CVodeInit(mem, cv_rhs, 0.0, y) != CV_SUCCESS) die("CVodeInit failed");
  if (CVodeSStolerances(mem, rtol, atol) != CV_SUCCESS) die("CVodeSStolerances failed");
  if (CVodeSetUserData(mem, &user) != CV_SUCCESS) die("CVodeSetUserData failed");
  if (CVodeSetLinearSolver(mem, LS, A) != CV_SUCCESS) die("CVodeSetLinearSolver failed");
  if (CVodeSetJacFn(mem, cv_jac) != CV_SUCCESS) die("CVodeSetJacFn failed");
  if (CVodeSetMaxNumSteps(mem, 10000000) != CV_SUCCESS) die("CVodeSetMaxNumSteps failed");

  std::vector<double> finals(static_cast<size_t>(runs) * n);
  std::vector<double> seconds;
  long steps = 0, rhs = 0, jac = 0, setups = 0, newton = 0, netf = 0, ncfn = 0;
  int failed = 0;
  for (int rep = 0; rep < reps; ++rep) {
    steps = rhs = jac = setups = newton = netf = ncfn = 0;
    failed = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int run = 0; run < runs; ++run) {
      for (int i = 0; i < n; ++i) yd[i] = problem->y0[i];
      user.p = values[run];
      CVodeReInit(mem, 0.0, y);
      CVodeSetStopTime(mem, problem->tend);
      realtype_t t = 0;
      const int flag = CVode(mem, problem->tend, y, &t, CV_NORMAL);
      if (flag < 0) ++failed;
      long v;
      CVodeGetNumSteps(mem, &v);
      steps += v;
      CVodeGetNumRhsEvals(mem, &v);
      rhs += v;
      CVodeGetNumJacEvals(mem, &v);
      jac += v;
      CVodeGetNumLinSolvSetups(mem, &v);
      setups += v;
      CVodeGetNumNonlinSolvIters(mem, &v);
      newton += v;
      CVodeGetNumErrTestFails(mem, &v);
      netf += v;
      CVodeGetNumNonlinSolvConvFails(mem, &v);
      ncfn += v;
      double* dst = &finals[static_cast<size_t>(run) * n];
      for (int i = 0; i < n; ++i) dst[i] = flag < 0 ? NAN : yd[i];
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  if (out_path) {
    FILE* f = std::fopen(out_path, "wb");
    if (!f || std::fwrite(finals.data(), sizeof(double), finals.size(), f) != finals.size()) die("could not write OUT");
    std::fclose(f);
  }
  std::printf("{\"sundials\":\"%s\",\"problem\":\"%s\",\"runs\":%d,\"n\":%d,\"seconds\":[", SUNDIALS_VERSION, problem->name, runs, n);
  for (size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.9g", i ? "," : "", seconds[i]);
  std::printf("],\"steps\":%ld,\"rhs\":%ld,\"jac\":%ld,\"setups\":%ld,\"newton\":%ld,\"netf\":%ld,\"ncfn\":%ld,\"failed\":%d}\n", steps, rhs,
              jac, setups, newton, netf, ncfn, failed);

  CVodeFree(&mem);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
#ifdef CUBIE_HAVE_SUNCONTEXT
  SUNContext_Free(&ctx);
#endif
  return 0;
}
