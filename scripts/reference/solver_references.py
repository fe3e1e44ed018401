#!/usr/bin/env python3
"""Reference trajectories for the solver tests, from scipy at tight tolerance.

Writes test/fixtures/solver/references.json. Rerun after changing a case:
    python3 scripts/reference/solver_references.py
"""
import json
import os

import numpy as np
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'solver', 'references.json')


def lorenz(sigma, rho, beta):
    def f(t, u):
        x, y, z = u
        return [sigma * (y - x), x * (rho - z) - y, x * y - beta * z]
    return f


def lotka_volterra(a, b, c, d):
    def f(t, u):
        x, y = u
        return [a * x - b * x * y, d * x * y - c * y]
    return f


def solve(f, y0, t_eval):
    sol = solve_ivp(f, (t_eval[0], t_eval[-1]), y0, method='DOP853', t_eval=t_eval, rtol=1e-13, atol=1e-13)
    assert sol.success, sol.message
    return sol.y  # [n_states, n_times]


def main():
    cases = []
    t = np.linspace(0.0, 1.0, 11)
    rhos = [0.0, 5.0, 10.0, 15.0, 21.0, 28.0]
    lorenz_runs = [solve(lorenz(10.0, rho, 8.0 / 3.0), [1.0, 1.0, 1.0], t).tolist() for rho in rhos]
    cases.append({
        'name': 'lorenz_rho_sweep',
        'equations': ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
        'states': {'x': 1.0, 'y': 1.0, 'z': 1.0},
        'parameters': {'sigma': 10.0, 'beta': 8.0 / 3.0},
        'sweep': {'rho': rhos},
        'times': t.tolist(),
        'runs': lorenz_runs,
    })
    t = np.linspace(0.0, 10.0, 21)
    alphas = [0.5, 1.0, 1.5]
    lv_runs = [solve(lotka_volterra(a, 0.4, 0.8, 0.2), [10.0, 5.0], t).tolist() for a in alphas]
    cases.append({
        'name': 'lotka_volterra',
        'equations': ['dx = a*x - b*x*y', 'dy = d*x*y - c*y'],
        'states': {'x': 10.0, 'y': 5.0},
        'parameters': {'b': 0.4, 'c': 0.8, 'd': 0.2},
        'sweep': {'a': alphas},
        'times': t.tolist(),
        'runs': lv_runs,
    })
    with open(OUT, 'w') as fh:
        json.dump({'generator': 'scripts/reference/solver_references.py', 'method': 'scipy DOP853 rtol=atol=1e-13', 'cases': cases}, fh, indent=1)


if __name__ == '__main__':
    main()
