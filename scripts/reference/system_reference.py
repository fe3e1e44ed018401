#!/usr/bin/env python3
"""Reference values for cubie's system tests (test/system/reference.test.ts).

For a handful of systems this script evaluates, with hand-written numpy
code that shares nothing with cubie's parser or code generator:
  f(y, p, d, t)          the derivatives
  J = df/dy              hand-written analytic Jacobian, checked here against
                         scipy.differentiate.jacobian (an adaptive high-order
                         finite-difference scheme); for 'smooth_functions' the
                         Jacobian IS the scipy result (too many terms to write)
  observables
  df/dt along drivers    partial f/partial t + sum_k partial f/partial d_k * ddot_k,
                         checked against scipy.differentiate.derivative of
                         f(y, p, d0 + ddot*t, t) in t
at seeded random points, and writes test/fixtures/system/reference.json.

The equations in each definition are the same math written as cubie text;
the test builds the system from that text and compares.

Run:  python3 scripts/reference/system_reference.py
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy.differentiate import derivative, jacobian

SEED = 20251123
POINTS = 6
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'system', 'reference.json')


def linear():
    definition = {
        'name': 'linear',
        'equations': [
            '# three compartments exchanging mass',
            'dx1 = -a*x1 + b*x2',
            'dx2 = a*x1 - (b + c)*x2 + k*x3',
            'dx3 = c*x2 - k*x3',
        ],
        'states': ['x1', 'x2', 'x3'],
        'parameters': ['a', 'b', 'c'],
        'constants': {'k': 0.5},
    }
    k = 0.5

    def f(y, p, d, t):
        x1, x2, x3 = y
        a, b, c = p
        return np.array([-a * x1 + b * x2, a * x1 - (b + c) * x2 + k * x3, c * x2 - k * x3])

    def jac(y, p, d, t):
        a, b, c = p
        return np.array([[-a, b, 0.0], [a, -(b + c), k], [0.0, c, -k]])

    def sample(rng):
        return rng.uniform(-2, 2, 3), rng.uniform(0.1, 3, 3), np.zeros(0), rng.uniform(0, 10)

    return definition, f, jac, None, None, sample


def lorenz():
    definition = {
        'name': 'lorenz',
        'equations': 'dx = sigma*(y - x)\ndy = x*(rho - z) - y\ndz = x*y - beta*z\n',
        'parameters': {'sigma': 10, 'rho': 28, 'beta': 8 / 3},
    }

    def f(y, p, d, t):
        x, yy, z = y
        sigma, rho, beta = p
        return np.array([sigma * (yy - x), x * (rho - z) - yy, x * yy - beta * z])

    def jac(y, p, d, t):
        x, yy, z = y
        sigma, rho, beta = p
        return np.array([[-sigma, sigma, 0.0], [rho - z, -1.0, -x], [yy, x, -beta]])

    def sample(rng):
        return rng.uniform(-20, 20, 3), np.array([10.0, 28.0, 8 / 3]) * rng.uniform(0.8, 1.2, 3), np.zeros(0), rng.uniform(0, 5)

    return definition, f, jac, None, None, sample


def robertson():
    definition = {
        'name': 'robertson',
        'equations': [
            '# Robertson (1966): stiff chemical kinetics',
            'dy1 = -k1*y1 + k3*y2*y3',
            'dy2 = k1*y1 - k3*y2*y3 - k2*y2^2',
            'dy3 = k2*y2^2',
        ],
        'states': {'y1': 1, 'y2': 0, 'y3': 0},
        'constants': {'k1': 0.04, 'k2': 3e7, 'k3': 1e4},
    }
    k1, k2, k3 = 0.04, 3e7, 1e4

    def f(y, p, d, t):
        y1, y2, y3 = y
        return np.array([-k1 * y1 + k3 * y2 * y3, k1 * y1 - k3 * y2 * y3 - k2 * y2**2, k2 * y2**2])

    def jac(y, p, d, t):
        y1, y2, y3 = y
        return np.array([
            [-k1, k3 * y3, k3 * y2],
            [k1, -k3 * y3 - 2 * k2 * y2, -k3 * y2],
            [0.0, 2 * k2 * y2, 0.0],
        ])

    def sample(rng):
        y = np.array([rng.uniform(0, 1), rng.uniform(0, 4e-5), rng.uniform(0, 1)])
        return y, np.zeros(0), np.zeros(0), rng.uniform(0, 1e3)

    return definition, f, jac, None, None, sample


def forced_duffing():
    definition = {
        'name': 'forced_duffing',
        'equations': [
            '# Duffing oscillator driven by a cosine and an external input u(t)',
            'spring = -k*x - alpha*x^3',
            'damping = -c*v',
            'force = F0*cos(omega*t) + gain*u',
            'dx = v',
            'dv = (spring + damping + force)/m',
            'energy = 0.5*m*v^2 + 0.5*k*x^2 + 0.25*alpha*x^4',
            'power = force*v',
        ],
        'states': {'x': 1, 'v': 0},
        'parameters': {'m': 1, 'c': 0.2, 'k': 1, 'F0': 0.5, 'omega': 1.2},
        'constants': {'alpha': 0.3, 'gain': 2.5},
        'drivers': ['u'],
        'observables': ['energy', 'power'],
    }
    alpha, gain = 0.3, 2.5

    def f(y, p, d, t):
        x, v = y
        m, c, k, F0, omega = p
        (u,) = d
        force = F0 * np.cos(omega * t) + gain * u
        return np.array([v + 0 * x, (-k * x - alpha * x**3 - c * v + force) / m])

    def jac(y, p, d, t):
        x, v = y
        m, c, k, F0, omega = p
        return np.array([[0.0, 1.0], [(-k - 3 * alpha * x**2) / m, -c / m]])

    def observables(y, p, d, t):
        x, v = y
        m, c, k, F0, omega = p
        (u,) = d
        force = F0 * np.cos(omega * t) + gain * u
        return np.array([0.5 * m * v**2 + 0.5 * k * x**2 + 0.25 * alpha * x**4, force * v])

    def dfdt(y, p, d, ddot, t):
        m, c, k, F0, omega = p
        return np.array([0.0, (-F0 * omega * np.sin(omega * t) + gain * ddot[0]) / m])

    def sample(rng):
        y = rng.uniform(-2, 2, 2)
        p = np.array([rng.uniform(0.5, 2), rng.uniform(0, 1), rng.uniform(0.5, 2), rng.uniform(0, 1), rng.uniform(0.5, 3)])
        return y, p, rng.uniform(-1, 1, 1), rng.uniform(0, 20)

    return definition, f, jac, observables, dfdt, sample


def smooth_functions():
    """Every smooth allowed function once; the Jacobian comes from scipy (no hand-written one)."""
    definition = {
        'name': 'smooth_functions',
        'equations': [
            'r = hypot(a, b)',
            'da = sin(a)*cos(b) + tan(c/4) + asin(a/3) + acos(b/4) + atan(c) + r',
            'db = sinh(a/2) + cosh(b/3) + tanh(c) + asinh(a) + acosh(1 + b^2) + atanh(c/5)',
            'dc = exp(-a^2) + expm1(b/2) + log(1 + c^2) + log10(2 + a) + log2(3 + b) + log1p(c^2)',
            'dd = sqrt(1 + a^2) + cbrt(b) + pow(2 + c, 1.5) + atan2(a, 2 + b) + (1 + a^2)^c - q*d^3 + e^(a/5) + pi*b',
        ],
        'states': ['a', 'b', 'c', 'd'],
        'parameters': ['q'],
    }

    def f(y, p, d, t):
        a, b, c, dd = y
        (q,) = p
        r = np.hypot(a, b)
        return np.array([
            np.sin(a) * np.cos(b) + np.tan(c / 4) + np.arcsin(a / 3) + np.arccos(b / 4) + np.arctan(c) + r,
            np.sinh(a / 2) + np.cosh(b / 3) + np.tanh(c) + np.arcsinh(a) + np.arccosh(1 + b**2) + np.arctanh(c / 5),
            np.exp(-a**2) + np.expm1(b / 2) + np.log(1 + c**2) + np.log10(2 + a) + np.log2(3 + b) + np.log1p(c**2),
            np.sqrt(1 + a**2) + np.cbrt(b) + (2 + c)**1.5 + np.arctan2(a, 2 + b) + (1 + a**2)**c - q * dd**3
            + np.exp(a / 5) + np.pi * b,
        ])

    def sample(rng):
        # b away from 0: acosh(1 + b^2) has a kink there and cbrt a vertical tangent.
        y = np.array([rng.uniform(-1, 1), rng.choice([-1, 1]) * rng.uniform(0.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-2, 2)])
        return y, rng.uniform(0.1, 2, 1), np.zeros(0), rng.uniform(0, 1)

    return definition, f, None, None, None, sample


def numeric_jacobian(f, y, p, d, t):
    res = jacobian(lambda x: f(x, p, d, t), y, initial_step=0.1)
    scale = np.max(np.abs(res.df)) + 1e-300
    assert np.max(res.error) < 1e-9 * scale, f'scipy Jacobian error estimate too large: {np.max(res.error) / scale:.2e}'
    return res.df


def component_along(f, i, y, p, d, ddot, t):
    """tt -> f_i(y, p, d + ddot*(tt - t), tt), elementwise over an array of times (scipy's calling convention)."""
    def g(tt):
        tt = np.asarray(tt, dtype=float)
        values = [f(y, p, d + ddot * (s - t), s)[i] for s in tt.ravel()]
        return np.array(values).reshape(tt.shape)
    return g


def main():
    rng = np.random.default_rng(SEED)
    systems = []
    for make in (linear, lorenz, robertson, forced_duffing, smooth_functions):
        definition, f, jac, observables, dfdt, sample = make()
        points = []
        for _ in range(POINTS):
            y, p, d, t = sample(rng)
            ddot = rng.uniform(-1, 1, d.shape[0])
            numeric = numeric_jacobian(f, y, p, d, t)
            if jac is None:
                J = numeric
            else:
                J = jac(y, p, d, t)
                scale = np.max(np.abs(J)) + 1e-300
                err = np.max(np.abs(J - numeric)) / scale
                assert err < 1e-8, f"{definition['name']}: analytic Jacobian disagrees with scipy ({err:.2e})"
            if dfdt is None:
                ft = np.zeros(y.shape[0])
            else:
                ft = dfdt(y, p, d, ddot, t)
                along = [derivative(component_along(f, i, y, p, d, ddot, t), t, initial_step=1e-2).df for i in range(y.shape[0])]
                assert np.allclose(ft, along, rtol=1e-8, atol=1e-10), f"{definition['name']}: df/dt disagrees with scipy"
            point = {
                'y': y.tolist(), 'p': np.asarray(p, dtype=float).tolist(), 'd': d.tolist(), 'ddot': ddot.tolist(), 't': float(t),
                'f': f(y, p, d, t).tolist(), 'jacobian': np.asarray(J).tolist(),
                'observables': [] if observables is None else observables(y, p, d, t).tolist(),
                'dfdt': np.asarray(ft).tolist(),
            }
            points.append(point)
        systems.append({'name': definition['name'], 'definition': definition, 'jacobian_source': 'scipy' if jac is None else 'analytic', 'points': points})

    out = {
        'generator': 'scripts/reference/system_reference.py',
        'numpy': np.__version__,
        'scipy': scipy.__version__,
        'seed': SEED,
        'systems': systems,
    }
    with open(OUT, 'w') as fh:
        json.dump(out, fh, indent=1)
        fh.write('\n')
    print(f'wrote {os.path.normpath(OUT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
