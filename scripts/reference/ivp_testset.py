#!/usr/bin/env python3
"""Cross-check of test/fixtures/stiff/ivp-testset.json (IVP Test Set, Bari).

The right-hand sides and Jacobians below are written by hand from the Test
Set's Fortran feval/jeval routines (not parsed from the fixture's equation
text), with the constants typed in again from the Fortran PARAMETER
statements; the script checks that the fixture's constants, initial values
and intervals agree with them, integrates each problem with scipy's Radau
at tight tolerances and prints, per component, the relative difference to
the fixture's published reference (the Test Set's solut values).

A relative difference much above ~1e-7 in any component (where the
reference is resolvable at these tolerances) points at a transcription
error in the fixture or here.

    python3 scripts/reference/ivp_testset.py [problem ...]
"""
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'stiff', 'ivp-testset.json')


# ---------------------------------------------------------------- HIRES
def hires():
    def f(t, y):
        f7 = 280.0 * y[5] * y[7] - 1.81 * y[6]
        return np.array([
            -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
            1.71 * y[0] - 8.75 * y[1],
            -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
            8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3],
            -1.745 * y[4] + 0.43 * (y[5] + y[6]),
            -280.0 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6],
            f7,
            -f7,
        ])

    def jac(t, y):
        J = np.zeros((8, 8))
        J[0, 0], J[0, 1], J[0, 2] = -1.71, 0.43, 8.32
        J[1, 0], J[1, 1] = 1.71, -8.75
        J[2, 2], J[2, 3], J[2, 4] = -10.03, 0.43, 0.035
        J[3, 1], J[3, 2], J[3, 3] = 8.32, 1.71, -1.12
        J[4, 4], J[4, 5], J[4, 6] = -1.745, 0.43, 0.43
        J[5, 3], J[5, 4], J[5, 5], J[5, 6], J[5, 7] = 0.69, 1.71, -280.0 * y[7] - 0.43, 0.69, -280.0 * y[5]
        J[6, 5], J[6, 6], J[6, 7] = 280.0 * y[7], -1.81, 280.0 * y[5]
        J[7, :] = -J[6, :]
        return J
    y0 = [1, 0, 0, 0, 0, 0, 0, 0.0057]
    return f, jac, y0, 321.8122, {}


# ---------------------------------------------------------------- POLLU
POLLU_K = [.35, .266e2, .123e5, .86e-3, .82e-3, .15e5, .13e-3, .24e5, .165e5, .9e4,
           .22e-1, .12e5, .188e1, .163e5, .48e7, .35e-3, .175e-1, .1e9, .444e12, .124e4,
           .21e1, .578e1, .474e-1, .178e4, .312e1]
# r(j) = k(j) * product of these species (1-based, as in feval).
POLLU_REACTANTS = [[1], [2, 4], [5, 2], [7], [7], [7, 6], [9], [9, 6], [11, 2], [11, 1],
                   [13], [10, 2], [14], [1, 6], [3], [4], [4], [16], [16], [17, 6],
                   [19], [19], [1, 4], [19, 1], [20]]
# f(i) = sum of sign * r(j) over these (reaction, sign) lists, as in feval.
POLLU_F = {
    1: '-1 -10 -14 -23 -24 +2 +3 +9 +11 +12 +22 +25',
    2: '-2 -3 -9 -12 +1 +21',
    3: '-15 +1 +17 +19 +22',
    4: '-2 -16 -17 -23 +15',
    5: '-3 +4 +4 +6 +7 +13 +20',
    6: '-6 -8 -14 -20 +3 +18 +18',
    7: '-4 -5 -6 +13',
    8: '+4 +5 +6 +7',
    9: '-7 -8',
    10: '-12 +7 +9',
    11: '-9 -10 +8 +11',
    12: '+9',
    13: '-11 +10',
    14: '-13 +12',
    15: '+14',
    16: '-18 -19 +16',
    17: '-20',
    18: '+20',
    19: '-21 -22 -24 +23 +25',
    20: '-25 +24',
}


def pollu():
    S = np.zeros((20, 25))
    for i, terms in POLLU_F.items():
        for term in terms.split():
            S[i - 1, abs(int(term)) - 1] += 1.0 if term[0] == '+' else -1.0
    k = np.array(POLLU_K)
    reac = [[s - 1 for s in r] for r in POLLU_REACTANTS]

    def rates(y):
        return np.array([k[j] * np.prod(y[reac[j]]) for j in range(25)])

    def f(t, y):
        return S @ rates(y)

    def jac(t, y):
        D = np.zeros((25, 20))  # d r_j / d y_m
        for j, r in enumerate(reac):
            for a, m in enumerate(r):
                others = [s for b, s in enumerate(r) if b != a]
                D[j, m] += k[j] * (np.prod(y[others]) if others else 1.0)
        return S @ D
    y0 = np.zeros(20)
    y0[[1, 3, 6, 7, 8, 16]] = [0.2, 0.04, 0.1, 0.3, 0.01, 0.007]
    return f, jac, list(y0), 60.0, {f'k{j + 1}': v for j, v in enumerate(POLLU_K)}


# ---------------------------------------------------------------- OREGO
def orego():
    def f(t, y):
        return np.array([
            77.27 * (y[1] + y[0] * (1.0 - 8.375e-6 * y[0] - y[1])),
            (y[2] - (1.0 + y[0]) * y[1]) / 77.27,
            0.161 * (y[0] - y[2]),
        ])

    def jac(t, y):
        return np.array([
            [77.27 * (1.0 - 2.0 * 8.375e-6 * y[0] - y[1]), 77.27 * (1.0 - y[0]), 0.0],
            [-y[1] / 77.27, -(1.0 + y[0]) / 77.27, 1.0 / 77.27],
            [0.161, 0.0, -0.161],
        ])
    return f, jac, [1.0, 2.0, 3.0], 360.0, {'s': 77.27, 'q': 8.375e-6, 'w': 0.161}


# ---------------------------------------------------------------- VDPOL
def vdpol():
    eps = 1.0e-6

    def f(t, y):
        return np.array([y[1], ((1.0 - y[0] ** 2) * y[1] - y[0]) / eps])

    def jac(t, y):
        return np.array([[0.0, 1.0], [(-2.0 * y[0] * y[1] - 1.0) / eps, (1.0 - y[0] ** 2) / eps]])
    return f, jac, [2.0, 0.0], 2.0, {'eps': eps}


# ---------------------------------------------------------------- ROBER
def rober():
    def f(t, y):
        return np.array([
            -0.04 * y[0] + 1.0e4 * y[1] * y[2],
            0.04 * y[0] - 1.0e4 * y[1] * y[2] - 3.0e7 * y[1] ** 2,
            3.0e7 * y[1] ** 2,
        ])

    def jac(t, y):
        return np.array([
            [-0.04, 1.0e4 * y[2], 1.0e4 * y[1]],
            [0.04, -1.0e4 * y[2] - 6.0e7 * y[1], -1.0e4 * y[1]],
            [0.0, 6.0e7 * y[1], 0.0],
        ])
    return f, jac, [1.0, 0.0, 0.0], 1.0e11, {'k1': 0.04, 'k2': 3.0e7, 'k3': 1.0e4}


# ---------------------------------------------------------------- RINGMOD
RING = dict(c=1.6e-8, cs=2e-12, cp=1e-8, r=25e3, rp=50.0, lh=4.45, ls1=2e-3, ls2=5e-4, ls3=5e-4,
            rg1=36.3, rg2=17.3, rg3=17.3, ri=5e1, rc=6e2, gamma=40.67286402e-9, delta=17.7493332)


def ringmod():
    p = RING
    c, cs, cp, r, rp = p['c'], p['cs'], p['cp'], p['r'], p['rp']
    lh, ls1, ls2, ls3 = p['lh'], p['ls1'], p['ls2'], p['ls3']
    rg1, rg2, rg3, ri, rc = p['rg1'], p['rg2'], p['rg3'], p['ri'], p['rc']
    gamma, delta, pi = p['gamma'], p['delta'], np.pi

    def ud(t, y):
        uin2 = 2.0 * np.sin(2e4 * pi * t)
        return (y[2] - y[4] - y[6] - uin2, -y[3] + y[5] - y[6] - uin2,
                y[3] + y[4] + y[6] + uin2, -y[2] - y[5] + y[6] + uin2)

    def f(t, y):
        uin1 = 0.5 * np.sin(2e3 * pi * t)
        u1, u2, u3, u4 = ud(t, y)
        q1, q2, q3, q4 = (gamma * np.expm1(delta * u) for u in (u1, u2, u3, u4))
        return np.array([
            (y[7] - 0.5 * y[9] + 0.5 * y[10] + y[13] - y[0] / r) / c,
            (y[8] - 0.5 * y[11] + 0.5 * y[12] + y[14] - y[1] / r) / c,
            (y[9] - q1 + q4) / cs,
            (-y[10] + q2 - q3) / cs,
            (y[11] + q1 - q3) / cs,
            (-y[12] - q2 + q4) / cs,
            (-y[6] / rp + q1 + q2 - q3 - q4) / cp,
            -y[0] / lh,
            -y[1] / lh,
            (0.5 * y[0] - y[2] - rg2 * y[9]) / ls2,
            (-0.5 * y[0] + y[3] - rg3 * y[10]) / ls3,
            (0.5 * y[1] - y[4] - rg2 * y[11]) / ls2,
            (-0.5 * y[1] + y[5] - rg3 * y[12]) / ls3,
            (-y[0] + uin1 - (ri + rg1) * y[13]) / ls1,
            (-y[1] - (rc + rg1) * y[14]) / ls1,
        ])

    def jac(t, y):
        u1, u2, u3, u4 = ud(t, y)
        g1, g2, g3, g4 = (gamma * delta * np.exp(delta * u) for u in (u1, u2, u3, u4))
        J = np.zeros((15, 15))
        J[0, 0], J[0, 7], J[0, 9], J[0, 10], J[0, 13] = -1 / (c * r), 1 / c, -0.5 / c, 0.5 / c, 1 / c
        J[1, 1], J[1, 8], J[1, 11], J[1, 12], J[1, 14] = -1 / (c * r), 1 / c, -0.5 / c, 0.5 / c, 1 / c
        J[2, 2], J[2, 4], J[2, 5], J[2, 6], J[2, 9] = (-g1 - g4) / cs, g1 / cs, -g4 / cs, (g1 + g4) / cs, 1 / cs
        J[3, 3], J[3, 4], J[3, 5], J[3, 6], J[3, 10] = (-g2 - g3) / cs, -g3 / cs, g2 / cs, (-g2 - g3) / cs, -1 / cs
        J[4, 2], J[4, 3], J[4, 4], J[4, 6], J[4, 11] = g1 / cs, -g3 / cs, (-g1 - g3) / cs, (-g1 - g3) / cs, 1 / cs
        J[5, 2], J[5, 3], J[5, 5], J[5, 6], J[5, 12] = -g4 / cs, g2 / cs, (-g2 - g4) / cs, (g2 + g4) / cs, -1 / cs
        J[6, 2], J[6, 3], J[6, 4], J[6, 5] = (g1 + g4) / cp, (-g2 - g3) / cp, (-g1 - g3) / cp, (g2 + g4) / cp
        J[6, 6] = (-g1 - g2 - g3 - g4 - 1 / rp) / cp
        J[7, 0] = J[8, 1] = -1 / lh
        J[9, 0], J[9, 2], J[9, 9] = 0.5 / ls2, -1 / ls2, -rg2 / ls2
        J[10, 0], J[10, 3], J[10, 10] = -0.5 / ls3, 1 / ls3, -rg3 / ls3
        J[11, 1], J[11, 4], J[11, 11] = 0.5 / ls2, -1 / ls2, -rg2 / ls2
        J[12, 1], J[12, 5], J[12, 12] = -0.5 / ls3, 1 / ls3, -rg3 / ls3
        J[13, 0], J[13, 13] = -1 / ls1, -(ri + rg1) / ls1
        J[14, 1], J[14, 14] = -1 / ls1, -(rc + rg1) / ls1
        return J
    return f, jac, [0.0] * 15, 1e-3, dict(RING)


PROBLEMS = {
    # name: (builder, rtol, atol, first_step)
    'hires': (hires, 1e-13, 1e-18, 1e-12),
    'pollu': (pollu, 1e-13, 1e-24, 1e-14),
    'orego': (orego, 1e-13, 1e-14, 1e-12),
    'vdpol': (vdpol, 1e-13, 1e-14, 1e-14),
    'rober': (rober, 1e-13, 1e-26, 1e-14),
    # ringmod: scipy's Radau (order 5 only) needs ~1e6 steps at 1e-10 (about 10 min); 1e-12 would take hours.
    'ringmod': (ringmod, 1e-10, 1e-13, 1e-14),
}


def main(names):
    fixture = json.load(open(FIXTURE))['problems']
    print(f'scipy {scipy.__version__} solve_ivp(method="Radau", analytic Jacobian)')
    worst_all = {}
    for name in names:
        build, rtol, atol, h0 = PROBLEMS[name]
        f, jac, y0, tend, consts = build()
        p = fixture[name]
        # the fixture must describe the same problem as the hand-written one here
        assert list(p['states'].values()) == list(y0), (name, 'initial values differ')
        assert p['t0'] == 0 and p['tend'] == tend, (name, 'interval differs')
        for key, value in consts.items():
            assert p['constants'].get(key) == value, (name, key, p['constants'].get(key), value)
        assert set(p['constants']) == set(consts), (name, 'constant names differ')
        ref = np.array(p['reference'], dtype=float)
        start = time.time()
        sol = solve_ivp(f, (0.0, tend), np.array(y0, dtype=float), method='Radau', jac=jac,
                        rtol=rtol, atol=atol, first_step=h0)
        elapsed = time.time() - start
        assert sol.success, (name, sol.message)
        y = sol.y[:, -1]
        rel = np.abs(y - ref) / np.abs(ref)
        worst_all[name] = float(rel.max())
        print(f'\n{name}: rtol={rtol:g} atol={atol:g} steps={sol.t.size - 1} nfev={sol.nfev} '
              f'({elapsed:.1f} s); max relative difference {rel.max():.2e} (component {int(rel.argmax()) + 1})')
        for i, (yi, ri, di) in enumerate(zip(y, ref, rel)):
            print(f'  y{i + 1:<3d} scipy {yi: .16e}  ref {ri: .16e}  rel {di:.2e}')
    print('\nsummary (max relative difference over components):')
    for name, worst in worst_all.items():
        print(f'  {name:8s} {worst:.2e}')


if __name__ == '__main__':
    main(sys.argv[1:] or list(PROBLEMS))
