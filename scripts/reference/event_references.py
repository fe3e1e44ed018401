#!/usr/bin/env python3
"""Reference event times for the solver's event tests, from scipy's
solve_ivp(events=...) at tight tolerance (DOP853, rtol = atol = 1e-13).

Writes test/fixtures/solver/events.json. Rerun after changing a case:
    python3 scripts/reference/event_references.py
"""
import json
import os

import numpy as np
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'solver', 'events.json')
TIGHT = dict(method='DOP853', rtol=1e-13, atol=1e-13)


def lorenz(sigma, rho, beta):
    def f(t, u):
        x, y, z = u
        return [sigma * (y - x), x * (rho - z) - y, x * y - beta * z]
    return f


def poincare(rho):
    """Upward crossings of z = 27 (a Poincare section), t in [0, 8]."""
    def section(t, u):
        return u[2] - 27
    section.direction = 1
    sol = solve_ivp(lorenz(10, rho, 8 / 3), (0, 8), [1, 1, 1], events=section, **TIGHT)
    return {'rho': rho, 'time': sol.t_events[0].tolist(), 'state': sol.y_events[0].tolist()}


# Hodgkin-Huxley (squid axon, 6.3 C), a constant current I from t = 0;
# spikes are upward crossings of V = 0 mV over 100 ms.
G_NA, G_K, G_L, E_NA, E_K, E_L = 120.0, 36.0, 0.3, 50.0, -77.0, -54.387


def hodgkin_huxley(current):
    def f(t, u):
        v, m, h, n = u
        am = 0.1 * (v + 40) / (1 - np.exp(-(v + 40) / 10))
        bm = 4 * np.exp(-(v + 65) / 18)
        ah = 0.07 * np.exp(-(v + 65) / 20)
        bh = 1 / (1 + np.exp(-(v + 35) / 10))
        an = 0.01 * (v + 55) / (1 - np.exp(-(v + 55) / 10))
        bn = 0.125 * np.exp(-(v + 65) / 80)
        i_ion = G_NA * m ** 3 * h * (v - E_NA) + G_K * n ** 4 * (v - E_K) + G_L * (v - E_L)
        return [current - i_ion, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]
    return f


def spikes(current):
    def spike(t, u):
        return u[0]
    spike.direction = 1
    sol = solve_ivp(hodgkin_huxley(current), (0, 100), [-65, 0.0529, 0.5961, 0.3177], events=spike, **TIGHT)
    return {'current': current, 'count': len(sol.t_events[0]), 'time': sol.t_events[0].tolist()}


def main():
    data = {
        'source': 'scripts/reference/event_references.py: scipy ' + __import__('scipy').__version__ + ' solve_ivp DOP853 rtol=atol=1e-13',
        'poincare': [poincare(rho) for rho in (28.0, 24.5, 35.0)],
        'hodgkinHuxley': [spikes(i) for i in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0)],
    }
    with open(OUT, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
