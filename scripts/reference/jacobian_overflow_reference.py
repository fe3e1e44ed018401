#!/usr/bin/env python3
"""Reference trajectory for test/implicit/jacobian-overflow.test.ts.

    dx = -x + a / (1 + exp((x - 1) / s))
    dy = -k (y - x)

from x = 10, y = 0. The rate a / (1 + exp(z)), z = (x - 1) / s, is a finite
0 while exp(z) overflows (x > 1 + 709 s = 8.09 in float64), but its symbolic
derivative -a exp(z) / (s (1 + exp(z))^2) is inf/inf = NaN there (asserted
below with numpy, as the generated C++ evaluates it), so an implicit method
that trusts the symbolic Jacobian fails at the first step. scipy's Radau
solves it with the derivative written so that it cannot overflow,
-a / (s (exp(-z/2) + exp(z/2))^2), at rtol 1e-12, checked against BDF.
Writes test/fixtures/stiff/jacobian-overflow.json:
    python3 scripts/reference/jacobian_overflow_reference.py
"""
import json
import os

import numpy as np
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'stiff', 'jacobian-overflow.json')

A, S, K = 2.0, 0.01, 50.0
Y0 = [10.0, 0.0]


def f(t, y):
    z = (y[0] - 1) / S
    with np.errstate(over='ignore'):
        return [-y[0] + A / (1 + np.exp(z)), -K * (y[1] - y[0])]


def jac(t, y):
    z = (y[0] - 1) / S
    with np.errstate(over='ignore'):
        return [[-1 - A / (S * (np.exp(-z / 2) + np.exp(z / 2)) ** 2), 0.0], [K, -K]]


def naive_derivative(x):
    z = (x - 1) / S
    with np.errstate(over='ignore', invalid='ignore'):
        return -A * np.exp(z) / (S * (1 + np.exp(z)) ** 2)


def main():
    assert np.isnan(naive_derivative(np.float64(Y0[0]))), 'the symbolic derivative should overflow at x0'
    times = np.linspace(0, 10, 21)
    runs = {}
    for method in ('Radau', 'BDF'):
        sol = solve_ivp(f, (0, 10), Y0, method=method, jac=jac, t_eval=times, rtol=1e-12, atol=1e-14)
        assert sol.success, sol.message
        runs[method] = sol.y
    spread = float(np.max(np.abs(runs['Radau'] - runs['BDF'])))
    fixture = {
        'name': 'jacobian_overflow',
        'equations': ['dx = -x + a/(1 + exp((x - 1)/s))', 'dy = -k*(y - x)'],
        'states': {'x': Y0[0], 'y': Y0[1]},
        'parameters': {'a': A, 's': S, 'k': K},
        'times': times.tolist(),
        'values': runs['Radau'].tolist(),
        'radau_bdf_spread': spread,
    }
    with open(OUT, 'w') as out:
        json.dump(fixture, out, indent=1)
        out.write('\n')
    print(f'wrote {OUT}; Radau-BDF spread {spread:.2e}')


if __name__ == '__main__':
    main()
