"""scipy baseline for cubie's benchmark (bench/lorenz-cpu.js).

Integrates a sample of the Lorenz ensemble with scipy.integrate.solve_ivp,
method 'RK45' (Dormand-Prince 5(4); scipy has no Tsitouras pair, and this is
the nearest: an explicit 5(4) pair with FSAL and a comparable controller),
one trajectory per call, the way a scipy user would write it.

Reads one JSON object on stdin:
  {"rho": [...], "t1": 1.0, "rtol": 1e-8, "atol": 1e-8, "reps": 2}
  (sigma = 10, beta = 8/3, x = y = z = 1, t in [0, t1])
Writes one JSON object on stdout:
  {"scipy": version, "numpy": version, "seconds": [total per rep],
   "final": [[x, y, z] per run], "steps": [accepted steps per run],
   "nfev": [f evaluations per run], "failed": count}
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp

SIGMA = 10.0
BETA = 8.0 / 3.0


def main():
    spec = json.load(sys.stdin)
    rhos = [float(r) for r in spec["rho"]]
    t1 = float(spec.get("t1", 1.0))
    rtol = float(spec.get("rtol", 1e-8))
    atol = float(spec.get("atol", 1e-8))
    reps = int(spec.get("reps", 2))

    seconds = []
    final, steps, nfev, failed = [], [], [], 0
    for rep in range(reps):
        final, steps, nfev, failed = [], [], [], 0
        start = time.perf_counter()
        for rho in rhos:
            def lorenz(t, u, rho=rho):
                x, y, z = u
                return np.array([SIGMA * (y - x), x * (rho - z) - y, x * y - BETA * z])

            sol = solve_ivp(lorenz, (0.0, t1), [1.0, 1.0, 1.0], method="RK45", rtol=rtol, atol=atol)
            final.append(sol.y[:, -1].tolist())
            steps.append(len(sol.t) - 1)
            nfev.append(int(sol.nfev))
            failed += 0 if sol.success else 1
        seconds.append(time.perf_counter() - start)

    json.dump(
        {
            "scipy": scipy.__version__,
            "numpy": np.__version__,
            "seconds": seconds,
            "final": final,
            "steps": steps,
            "nfev": nfev,
            "failed": failed,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
