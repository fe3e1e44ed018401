#!/usr/bin/env python3
"""Reference trajectories of stiff problems for the implicit-method tests.

Each problem is solved by scipy's Radau and BDF with the analytic Jacobian at
rtol = 1e-10, atol = 1e-14 (Robertson) or 1e-10 (Van der Pol); the fixture
keeps Radau's values and the largest Radau-BDF difference relative to
atol + rtol |y| at any save, so a test can see how far the reference itself
can be trusted. Writes test/fixtures/stiff/<name>.json. Rerun after
changing a problem:
    python3 scripts/reference/stiff_references.py
"""
import json
import os

import numpy as np
import scipy
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'stiff')


def robertson(k1, k2, k3):
    def f(t, y):
        return [-k1 * y[0] + k3 * y[1] * y[2], k1 * y[0] - k2 * y[1] ** 2 - k3 * y[1] * y[2], k2 * y[1] ** 2]

    def jac(t, y):
        return [[-k1, k3 * y[2], k3 * y[1]],
                [k1, -2 * k2 * y[1] - k3 * y[2], -k3 * y[1]],
                [0.0, 2 * k2 * y[1], 0.0]]
    return f, jac


def van_der_pol(mu):
    # MATLAB's vdp1000 form: the relaxation oscillation has a period of about (3 - 2 ln 2) mu.
    def f(t, y):
        return [y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]]

    def jac(t, y):
        return [[0.0, 1.0], [-2 * mu * y[0] * y[1] - 1, mu * (1 - y[0] ** 2)]]
    return f, jac


def solve(f, jac, y0, t_eval, rtol, atol):
    runs = {}
    for method in ('Radau', 'BDF'):
        sol = solve_ivp(f, (t_eval[0], t_eval[-1]), y0, method=method, jac=jac, t_eval=t_eval, rtol=rtol, atol=atol)
        assert sol.success, sol.message
        runs[method] = sol.y
    radau, bdf = runs['Radau'], runs['BDF']
    spread = np.max(np.abs(radau - bdf) / (atol + rtol * np.abs(radau)))
    return radau, float(spread)


def case(name, equations, states, parameters, f, jac, t_eval, rtol, atol):
    y0 = list(states.values())
    values, spread = solve(f, jac, y0, t_eval, rtol, atol)
    return name, {
        'generator': 'scripts/reference/stiff_references.py',
        'method': f'scipy {scipy.__version__} solve_ivp Radau (checked against BDF) rtol={rtol} atol={atol}, analytic Jacobian',
        'radau_bdf_spread': spread,
        'name': name,
        'equations': equations,
        'states': states,
        'parameters': parameters,
        'times': t_eval.tolist(),
        'values': values.tolist(),  # [state][time]
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    k1, k2, k3 = 0.04, 3e7, 1e4
    f, jac = robertson(k1, k2, k3)
    cases = [case('robertson',
                  ['dy1 = -k1*y1 + k3*y2*y3', 'dy2 = k1*y1 - k2*y2^2 - k3*y2*y3', 'dy3 = k2*y2^2'],
                  {'y1': 1.0, 'y2': 0.0, 'y3': 0.0}, {'k1': k1, 'k2': k2, 'k3': k3},
                  f, jac, np.linspace(0.0, 400.0, 11), 1e-10, 1e-14)]
    mu = 1000.0
    f, jac = van_der_pol(mu)
    cases.append(case('van_der_pol',
                      ['dx = v', 'dv = mu*(1 - x^2)*v - x'],
                      {'x': 2.0, 'v': 0.0}, {'mu': mu},
                      f, jac, np.linspace(0.0, 3000.0, 13), 1e-10, 1e-10))
    for name, data in cases:
        with open(os.path.join(OUT, f'{name}.json'), 'w') as fh:
            json.dump(data, fh, indent=1)
            fh.write('\n')
        print(f'{name}: Radau-BDF spread {data["radau_bdf_spread"]:.3g} (in units of atol + rtol |y|)')


if __name__ == '__main__':
    main()
