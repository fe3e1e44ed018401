#!/usr/bin/env python3
"""How RODAS's error estimate scales with the step on HIRES (README, "rodas4
at tight tolerances"). One step of rodas4 (rodas.f's METH = 1 coefficients,
exact Jacobian) from points of the HIRES trajectory, for halving step sizes:
the estimate |u6| and the true local error (against scipy's Radau at rtol
1e-13 from the same point), both in the RMS norm scaled by 1e-4 + |y| (the
Test Set's relative scale), with the slopes log2(e(h) / e(h/2)). An estimate
of a fourth-order method with a third-order companion should fall like h^4;
on HIRES's slow phase (stiffest eigenvalue about -190) it falls like h^1 to
h^2.5 while h |lambda| is between 2 and 50, the range the tolerances 1e-6 to
1e-10 put the steps in, so halving the tolerance buys less than 2^(1/4) in step.

    python3 bench/baselines/rodas/estimate_slope.py [t ...]   (default: 5 50 300)
"""
import sys

import numpy as np
from scipy.integrate import solve_ivp

A = [[], [1.544], [0.9466785280815826, 0.2557011698983284],
     [3.314825187068521, 2.896124015972201, 0.9986419139977817],
     [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950],
     [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0]]
C = [[], [-5.6688], [-2.430093356833875, -0.2063599157091915],
     [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
     [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
     [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054]]
GAMMA = 0.25


def f(t, y):
    return np.array([
        -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
        1.71 * y[0] - 8.75 * y[1],
        -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
        8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3],
        -1.745 * y[4] + 0.43 * (y[5] + y[6]),
        -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6],
        280 * y[5] * y[7] - 1.81 * y[6],
        -280 * y[5] * y[7] + 1.81 * y[6]])


def jac(t, y):
    J = np.zeros((8, 8))
    J[0, :3] = [-1.71, 0.43, 8.32]
    J[1, :2] = [1.71, -8.75]
    J[2, 2:5] = [-10.03, 0.43, 0.035]
    J[3, 1:4] = [8.32, 1.71, -1.12]
    J[4, 4:7] = [-1.745, 0.43, 0.43]
    J[5, 3:8] = [0.69, 1.71, -0.43 - 280 * y[7], 0.69, -280 * y[5]]
    J[6, 5:8] = [280 * y[7], -1.81, 280 * y[5]]
    J[7, 5:8] = [-280 * y[7], 1.81, -280 * y[5]]
    return J


def rodas_step(y, h):
    """y_new and the estimate u6, as rodas.f forms them (autonomous)."""
    M = np.eye(8) / (h * GAMMA) - jac(0, y)
    u = []
    for i in range(6):
        stage = y + sum(A[i][j] * u[j] for j in range(i))
        u.append(np.linalg.solve(M, f(0, stage) + sum(C[i][j] / h * u[j] for j in range(i))))
    return y + sum(A[5][j] * u[j] for j in range(5)) + u[5], u[5]


def main():
    times = [float(x) for x in sys.argv[1:]] or [5.0, 50.0, 300.0]
    y0 = np.array([1, 0, 0, 0, 0, 0, 0, 0.0057])
    trajectory = solve_ivp(f, (0, 321.8122), y0, method='Radau', jac=jac, rtol=1e-13, atol=1e-17, dense_output=True)
    for t in times:
        y = trajectory.sol(t)
        stiffest = min(np.linalg.eigvals(jac(0, y)).real)
        print(f'HIRES at t = {t:g} (stiffest eigenvalue {stiffest:.1f})')
        print('| h | h lambda | estimate | slope | true local error | slope | estimate / true |')
        print('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
        previous = None
        for h in [0.5 / 2 ** k for k in range(9)]:
            y_new, est = rodas_step(y, h)
            exact = solve_ivp(f, (t, t + h), y, method='Radau', jac=jac, rtol=1e-13, atol=1e-18).y[:, -1]
            scale = 1e-4 + np.maximum(abs(y), abs(y_new))
            e = np.sqrt(np.mean((est / scale) ** 2))
            true = np.sqrt(np.mean(((y_new - exact) / scale) ** 2))
            slopes = ('', '') if previous is None else (f'{np.log2(previous[0] / e):.2f}', f'{np.log2(previous[1] / true):.2f}')
            print(f'| {h:g} | {h * abs(stiffest):.1f} | {e:.2e} | {slopes[0]} | {true:.2e} | {slopes[1]} | {e / true:.0f} |')
            previous = (e, true)
        print()


if __name__ == '__main__':
    main()
