#!/usr/bin/env python3
"""Kvaerno 5(4)'s embedded error estimate against its true local error on an
oscillatory mode, y' = lambda y with h lambda = z near the imaginary axis.

Why: on the Ring Modulator kvaerno5 ends about 1,000 tolerance units off in
its 5 MHz ringing components (README, "The IVP Test Set, with defaults").
For a linear mode one step multiplies y by the stability function R(z) =
1 + z b^T (I - z A)^-1 1; the true local error is |R(z) - e^z| and the
estimate the controller sees is |R(z) - Rhat(z)| (Rhat: the embedded
weights, the sixth stage). Where the ratio estimate / true is near 1 the
controller lets each step's error reach the tolerance, and a lightly damped
mode adds the steps' phase errors over its thousands of periods.

    python3 scripts/reference/kvaerno5_oscillation.py

The tableau is src/methods/implicit/kvaerno5.ts (Kvaerno, BIT 44 (2004)).
"""
import numpy as np

g = 0.26
rows = [
    [0],
    [g, g],
    [0.13, 0.84033320996790809, g],
    [0.22371961478320505, 0.47675532319799699, -0.06470895363112615, g],
    [0.16648564323248321, 0.10450018841591720, 0.03631482272098715, -0.13090704451073998, g],
    [0.13855640231268224, 0, -0.04245337201752043, 0.02446657898003141, 0.61943039072480676, g],
    [0.13659751177640291, 0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403, 0.06962479448202728, g],
]
A = np.zeros((7, 7))
for i, r in enumerate(rows):
    A[i, : len(r)] = r
b = A[6].copy()
b_hat = np.append(A[5, :6], 0.0)


def stability(z, weights):
    return 1 + z * weights @ np.linalg.solve(np.eye(7) - z * A, np.ones(7))


print(f"{'|z|':>5} {'arg(z)':>7} {'true':>9} {'estimate':>9} {'est/true':>8}")
for magnitude in [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]:
    for degrees in [90.0, 99.0, 117.0]:
        z = magnitude * np.exp(1j * np.radians(degrees))
        r = stability(z, b)
        true = abs(r - np.exp(z))
        estimate = abs(r - stability(z, b_hat))
        print(f"{magnitude:5.2f} {degrees:7.1f} {true:9.2e} {estimate:9.2e} {estimate / true:8.2f}")
