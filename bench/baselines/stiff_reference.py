"""Reference final states for the CVODE bench table (bench/cvode.js).

scipy's solve_ivp(method='Radau') with the analytic Jacobian at a tight
tolerance (rtol 1e-12 and atol 1e-20 by default) for the IVP Test Set problems
ROBER, HIRES and POLLU, with one rate constant per run taken from the input
(the same constant bench/baselines/cvode_stiff.cpp and the cubie system take
as a parameter):

  rober  k3 (nominal 1e4)    hires  k, the 280 of y6*y8 (nominal 280)
  pollu  k1 (nominal 0.35)

The right-hand sides are those of test/fixtures/stiff/ivp-testset.json,
written out here in NumPy; the Jacobians are written out by hand. All the
runs are stacked into one system and integrated by a single solve_ivp call
(see below).

JSON on stdin: {"problem": "rober"|"hires"|"pollu", "values": [...],
"rtol": 1e-12, "atol": 1e-20}. JSON on stdout: {"scipy", "numpy", "final":
[[y...] per run], "nfev", "njev", "nlu" (of the stacked solve), "failed"
(runs without a result), "message", "seconds"}.
"""

import json
import sys
import time

import numpy as np
import scipy
from scipy import sparse
from scipy.integrate import solve_ivp


# Each make(values) returns f(t, Y) and jac(t, Y) for all runs at once: Y holds
# the runs' states one after another (run-major), f is vectorised over runs and
# the Jacobian is block-diagonal (sparse). One solve_ivp call integrates every
# run with shared steps: each run is then controlled at least as tightly as it
# would be alone (up to the RMS norm's dilution over the runs, far below the
# margin rtol = 1e-12 leaves), and the Python overhead is paid once per step
# rather than once per run and step.


def rober(k3):
    k1, k2 = 0.04, 3e7
    m = len(k3)

    def f(t, Y):
        y = Y.reshape(m, 3)
        a, b, c = y[:, 0], y[:, 1], y[:, 2]
        return np.stack([
            -k1 * a + k3 * b * c,
            k1 * a - k3 * b * c - k2 * b ** 2,
            k2 * b ** 2,
        ], axis=1).ravel()

    def jac(t, Y):
        y = Y.reshape(m, 3)
        J = np.zeros((m, 3, 3))
        J[:, 0, 0] = -k1
        J[:, 0, 1] = k3 * y[:, 2]
        J[:, 0, 2] = k3 * y[:, 1]
        J[:, 1, 0] = k1
        J[:, 1, 1] = -k3 * y[:, 2] - 2 * k2 * y[:, 1]
        J[:, 1, 2] = -k3 * y[:, 1]
        J[:, 2, 1] = 2 * k2 * y[:, 1]
        return J

    return f, jac, [1.0, 0.0, 0.0], 1e11


HIRES_LINEAR = np.zeros((8, 8))
for (i, j), v in {
    (0, 0): -1.71, (0, 1): 0.43, (0, 2): 8.32, (1, 0): 1.71, (1, 1): -8.75,
    (2, 2): -10.03, (2, 3): 0.43, (2, 4): 0.035, (3, 1): 8.32, (3, 2): 1.71, (3, 3): -1.12,
    (4, 4): -1.745, (4, 5): 0.43, (4, 6): 0.43, (5, 3): 0.69, (5, 4): 1.71, (5, 5): -0.43,
    (5, 6): 0.69, (6, 6): -1.81, (7, 6): 1.81,
}.items():
    HIRES_LINEAR[i, j] = v


def hires(k):
    m = len(k)
    source = np.array([0.0007, 0, 0, 0, 0, 0, 0, 0])

    def f(t, Y):
        y = Y.reshape(m, 8)
        d = y @ HIRES_LINEAR.T + source
        w = k * y[:, 5] * y[:, 7]  # the k*y6*y8 term of dy6, dy7, dy8
        d[:, 5] -= w
        d[:, 6] += w
        d[:, 7] -= w
        return d.ravel()

    def jac(t, Y):
        y = Y.reshape(m, 8)
        J = np.repeat(HIRES_LINEAR[None, :, :], m, axis=0)
        J[:, 5, 5] -= k * y[:, 7]
        J[:, 5, 7] = -k * y[:, 5]
        J[:, 6, 5] = k * y[:, 7]
        J[:, 6, 7] = k * y[:, 5]
        J[:, 7, 5] = -k * y[:, 7]
        J[:, 7, 7] = -k * y[:, 5]
        return J

    return f, jac, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057], 321.8122


# POLLU: reaction j has rate k_j times the product of its reactants (0-based
# states); dy = S r with S the stoichiometry from the fixture's equations.
POLLU_K = [0.35, 26.6, 12300, 0.00086, 0.00082, 15000, 0.00013, 24000, 16500, 9000, 0.022, 12000, 1.88,
           16300, 4800000, 0.00035, 0.0175, 1e8, 4.44e11, 1240, 2.1, 5.78, 0.0474, 1780, 3.12]
POLLU_REACTANTS = [[0], [1, 3], [4, 1], [6], [6], [6, 5], [8], [8, 5], [10, 1], [10, 0], [12], [9, 1], [13],
                   [0, 5], [2], [3], [3], [15], [15], [16, 5], [18], [18], [0, 3], [18, 0], [19]]
POLLU_DY = [  # dy_i = sum of r_j (first list) - sum of r_j (second list), reactions numbered from 1
    ([2, 3, 9, 11, 12, 22, 25], [1, 10, 14, 23, 24]), ([1, 21], [2, 3, 9, 12]), ([1, 17, 19, 22], [15]),
    ([15], [2, 16, 17, 23]), ([4, 4, 6, 7, 13, 20], [3]), ([3, 18, 18], [6, 8, 14, 20]), ([13], [4, 5, 6]),
    ([4, 5, 6, 7], []), ([], [7, 8]), ([7, 9], [12]), ([8, 11], [9, 10]), ([9], []), ([10], [11]), ([12], [13]),
    ([14], []), ([16], [18, 19]), ([], [20]), ([20], []), ([23, 25], [21, 22, 24]), ([24], [25]),
]
POLLU_S = np.zeros((20, 25))
for _i, (_plus, _minus) in enumerate(POLLU_DY):
    for _j in _plus:
        POLLU_S[_i, _j - 1] += 1
    for _j in _minus:
        POLLU_S[_i, _j - 1] -= 1


def pollu(k1):
    m = len(k1)
    K = np.tile(np.array(POLLU_K), (m, 1))
    K[:, 0] = k1
    first = np.array([r[0] for r in POLLU_REACTANTS])
    two = np.array([len(r) > 1 for r in POLLU_REACTANTS])
    second = np.array([r[1] if len(r) > 1 else 0 for r in POLLU_REACTANTS])
    runs = np.arange(m)[:, None]
    reactions = np.arange(25)[None, :]

    def f(t, Y):
        y = Y.reshape(m, 20)
        r = K * y[:, first] * np.where(two, y[:, second], 1.0)
        return (r @ POLLU_S.T).ravel()

    def jac(t, Y):
        y = Y.reshape(m, 20)
        D = np.zeros((m, 25, 20))  # dr_j / dy_i: k_j times the other reactant, on each reactant's column
        np.add.at(D, (runs, reactions, first[None, :]), K * np.where(two, y[:, second], 1.0))
        D2 = np.where(two, K * y[:, first], 0.0)
        np.add.at(D, (runs, reactions, second[None, :]), D2)
        return POLLU_S[None, :, :] @ D

    y0 = [0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0]
    return f, jac, [float(v) for v in y0], 60.0


PROBLEMS = {'rober': rober, 'hires': hires, 'pollu': pollu}


def main():
    spec = json.load(sys.stdin)
    values = np.array(spec['values'], dtype=float)
    rtol = spec.get('rtol', 1e-12)
    atol = spec.get('atol', 1e-20)
    f, block_jac, y0, tend = PROBLEMS[spec['problem']](values)
    m, n = len(values), len(y0)

    def jac(t, Y):
        return sparse.block_diag(list(block_jac(t, Y)), format='csc')

    start = time.perf_counter()
    sol = solve_ivp(f, (0.0, tend), np.tile(y0, m), method='Radau', jac=jac, rtol=rtol, atol=atol, t_eval=[tend])
    seconds = time.perf_counter() - start
    final = sol.y[:, -1].reshape(m, n).tolist() if sol.success else [[float('nan')] * n] * m
    json.dump({'scipy': scipy.__version__, 'numpy': np.__version__, 'final': final,
               'nfev': int(sol.nfev), 'njev': int(sol.njev), 'nlu': int(sol.nlu), 'failed': 0 if sol.success else m,
               'message': sol.message, 'seconds': seconds}, sys.stdout)


if __name__ == '__main__':
    main()
