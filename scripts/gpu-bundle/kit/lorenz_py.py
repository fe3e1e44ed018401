"""The Lorenz ensemble of the GPU check with Diffrax (JAX) and torchdiffeq.

The protocol of phase-lorenz.js (DiffEqGPU paper, Utkarsh et al. 2024):
rho = 21 i / (N - 1) as float32, sigma 10, beta 8/3, u0 = (1, 0, 0), t in
[0, 1], float32, only the final state kept.

    python3 lorenz_py.py probe OUT.json
    python3 lorenz_py.py diffrax PLAN.json OUT.json
    python3 lorenz_py.py torchdiffeq PLAN.json OUT.json

PLAN.json (written by check.js): {"sizes": [...], "indices": {"N": [...]},
"reps": 3, "deadline": epoch seconds, "allow_cpu": false}. OUT.json is
rewritten after every row, so a run stopped at its deadline keeps its rows.

Diffrax: jax.vmap of diffeqsolve with Tsit5, one jit per N (compiled ahead
and timed apart); fixed = StepTo on linspace(0, 1, 1001) (exactly 1,000
steps), adaptive = PIDController(rtol=1e-8, atol=1e-8) (Diffrax's default
gains: integral control), dt0 chosen by Diffrax.
torchdiffeq: odeint(method='rk4', step_size=1e-3) on a (N, 3) tensor.
torchdiffeq's 'rk4' is the 3/8-rule variant of fourth-order Runge-Kutta,
not the classic tableau cubie's rk4 uses: both are fourth order, and their
final states differ by far less than float32 rounding.

Kernel time: the solve with its input already on the device, until the
device is done (block_until_ready / cuda.synchronize); total time: from the
host's rho array to the final states back on the host. Best of the reps.
"""
import json
import math
import os
import platform
import sys
import time
import traceback


def write(path, value):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1, default=str)
    os.replace(tmp, path)


def say(text):
    sys.stdout.write("[python] %s\n" % text)
    sys.stdout.flush()


def version_of(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        return None


def error_text(e):
    return "%s: %s" % (type(e).__name__, e)


def probe(out_path):
    out = {"python": sys.version.split()[0], "executable": sys.executable, "platform": platform.platform()}
    try:
        import numpy
        out["numpy"] = numpy.__version__
    except Exception as e:
        out["numpy_error"] = error_text(e)
    jax_info = {}
    try:
        import jax
        jax_info["version"] = jax.__version__
        try:
            import diffrax
            jax_info["diffrax"] = getattr(diffrax, "__version__", None) or version_of("diffrax")
        except Exception as e:
            jax_info["diffrax_error"] = error_text(e)
        try:
            devices = jax.devices()
            jax_info["devices"] = [str(d) for d in devices]
            jax_info["gpu"] = any(d.platform in ("gpu", "cuda") for d in devices)
        except Exception as e:
            jax_info["devices_error"] = error_text(e)
            jax_info["gpu"] = False
    except Exception as e:
        jax_info["error"] = error_text(e)
    out["jax"] = jax_info
    torch_info = {}
    try:
        import torch
        torch_info["version"] = torch.__version__
        torch_info["cuda_build"] = getattr(torch.version, "cuda", None)
        try:
            import torchdiffeq
            torch_info["torchdiffeq"] = getattr(torchdiffeq, "__version__", None) or version_of("torchdiffeq")
        except Exception as e:
            torch_info["torchdiffeq_error"] = error_text(e)
        try:
            torch_info["gpu"] = bool(torch.cuda.is_available())
            if torch_info["gpu"]:
                torch_info["device"] = torch.cuda.get_device_name(0)
        except Exception as e:
            torch_info["gpu"] = False
            torch_info["gpu_error"] = error_text(e)
    except Exception as e:
        torch_info["error"] = error_text(e)
    out["torch"] = torch_info
    write(out_path, out)


def rho_of(n, np):
    # the same float64 operations as phase-lorenz.js (21 * i / (N - 1)), then float32
    if n == 1:
        return np.zeros(1, dtype=np.float32)
    return ((21.0 * np.arange(n, dtype=np.float64)) / (n - 1)).astype(np.float32)


def order_sizes(sizes):
    """The smallest N first (a quick check), then the largest (the published figure), then the rest from large to small."""
    s = sorted(set(int(x) for x in sizes))
    if len(s) <= 2:
        return s
    return [s[0], s[-1]] + sorted(s[1:-1], reverse=True)


class Runner(object):
    def __init__(self, framework, plan, out_path):
        self.framework = framework
        self.plan = plan
        self.out_path = out_path
        self.deadline = float(plan["deadline"])
        self.reps = int(plan.get("reps", 3))
        self.out = {"framework": framework, "rows": [], "skipped": [], "status": "running"}
        self.last = {}  # config -> (n, seconds of one solve, compile seconds)

    def save(self):
        write(self.out_path, self.out)

    def left(self):
        return self.deadline - time.time()

    def fits(self, config, n):
        last = self.last.get(config)
        if last is None:
            return True, 0.0
        n0, run_s, compile_s = last
        predicted = compile_s + run_s * (float(n) / n0) * (self.reps + 2) + 2.0
        return predicted < self.left(), predicted

    def rows(self, configs, make_solve):
        # N outermost, in order_sizes' order: the published N is measured for every config early
        for n in order_sizes(self.plan["sizes"]):
            for config in configs:
                ok, predicted = self.fits(config, n)
                if not ok:
                    reason = "time budget: about %.0f s needed, %.0f s left" % (predicted, self.left())
                    self.out["skipped"].append({"what": "%s N=%d" % (config, n), "reason": reason})
                    say("%s %s N=%d skipped: %s" % (self.framework, config, n, reason))
                    self.save()
                    continue
                row = {"config": config, "n": n}
                self.out["rows"].append(row)
                try:
                    row.update(make_solve(config, n))
                    row["status"] = "ran"
                    self.last[config] = (n, row["best_total_ms"] / 1000.0, row.get("compile_s", 0.0))
                    say("%s %-14s N=%-8d kernel %.2f ms (%.2f ns/traj), total %.2f ms%s" % (
                        self.framework, config, n, row["best_kernel_ms"], row["best_kernel_ms"] * 1e6 / n,
                        row["best_total_ms"], (", compile %.1f s" % row["compile_s"]) if "compile_s" in row else ""))
                except Exception as e:
                    row["status"] = "failed"
                    row["error"] = error_text(e)
                    row["traceback"] = traceback.format_exc()[-3000:]
                    say("%s %s N=%d FAILED: %s" % (self.framework, config, n, error_text(e)))
                    if "out of memory" in str(e).lower() or "resource_exhausted" in str(e).lower():
                        self.last[config] = (n, 1e9, 0.0)  # no larger N for this config
                self.save()


def sample(finals, indices):
    return [[float(v) for v in finals[i]] for i in indices]


def run_diffrax(plan, out_path):
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    runner = Runner("diffrax", plan, out_path)
    import numpy as np
    import jax
    import jax.numpy as jnp
    import diffrax
    runner.out["versions"] = {"jax": jax.__version__, "diffrax": getattr(diffrax, "__version__", None) or version_of("diffrax"), "jaxlib": version_of("jaxlib")}
    devices = jax.devices()
    runner.out["device"] = str(devices[0])
    if not any(d.platform in ("gpu", "cuda") for d in devices) and not plan.get("allow_cpu"):
        runner.out["status"] = "skipped"
        runner.out["reason"] = "JAX sees no GPU (devices: %s)" % ", ".join(str(d) for d in devices)
        runner.save()
        return
    cache = plan.get("jax_cache_dir")
    if cache:
        try:
            jax.config.update("jax_compilation_cache_dir", cache)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        except Exception:
            pass

    def vector_field(t, u, rho):
        x, y, z = u[0], u[1], u[2]
        return jnp.stack([10.0 * (y - x), x * (rho - z) - y, x * y - (8.0 / 3.0) * z])

    term = diffrax.ODETerm(vector_field)
    solver = diffrax.Tsit5()
    u0 = jnp.array([1.0, 0.0, 0.0], dtype=jnp.float32)

    def ensemble(config):
        if config == "tsit5-fixed":
            controller = diffrax.StepTo(ts=jnp.linspace(0.0, 1.0, 1001, dtype=jnp.float32))
            extra = {"dt0": None, "max_steps": 2048}
        else:
            controller = diffrax.PIDController(rtol=1e-8, atol=1e-8)
            extra = {"dt0": None, "max_steps": 100000}

        def one(rho):
            sol = diffrax.diffeqsolve(term, solver, t0=0.0, t1=1.0, y0=u0, args=rho, saveat=diffrax.SaveAt(t1=True),
                                      stepsize_controller=controller, throw=False, **extra)
            return sol.ys[-1], sol.result == diffrax.RESULTS.successful, sol.stats["num_steps"]

        return jax.jit(jax.vmap(one))

    def solve(config, n):
        rho_host = rho_of(n, np)
        rho_dev = jax.device_put(rho_host)
        rho_dev.block_until_ready()
        t = time.perf_counter()
        compiled = ensemble(config).lower(rho_dev).compile()
        compile_s = time.perf_counter() - t
        jax.block_until_ready(compiled(rho_dev))  # warm-up
        kernel, total = [], []
        finals = ok = steps = None
        for _ in range(runner.reps):
            t = time.perf_counter()
            jax.block_until_ready(compiled(rho_dev))
            kernel.append((time.perf_counter() - t) * 1e3)
            t = time.perf_counter()
            ys, good, nsteps = compiled(jnp.asarray(rho_host))
            finals, ok, steps = np.asarray(ys), np.asarray(good), np.asarray(nsteps)
            total.append((time.perf_counter() - t) * 1e3)
        idx = plan["indices"].get(str(n))
        return {
            "compile_s": compile_s, "kernel_ms": kernel, "total_ms": total,
            "best_kernel_ms": min(kernel), "best_total_ms": min(total),
            "unfinished": int(n - int(ok.sum())),
            "steps": {"mean": float(steps.mean()), "min": int(steps.min()), "max": int(steps.max())},
            "sample": sample(finals, idx) if idx else None,
        }

    runner.rows(["tsit5-fixed", "tsit5-adaptive"], solve)
    runner.out["status"] = "failed" if any(r.get("status") == "failed" for r in runner.out["rows"]) else "ran"
    runner.save()


def run_torchdiffeq(plan, out_path):
    runner = Runner("torchdiffeq", plan, out_path)
    import numpy as np
    import torch
    import torchdiffeq
    runner.out["versions"] = {"torch": torch.__version__, "torchdiffeq": getattr(torchdiffeq, "__version__", None) or version_of("torchdiffeq")}
    if torch.cuda.is_available():
        device = torch.device("cuda")
        runner.out["device"] = torch.cuda.get_device_name(0)
    elif plan.get("allow_cpu"):
        device = torch.device("cpu")
        runner.out["device"] = "cpu"
    else:
        runner.out["status"] = "skipped"
        runner.out["reason"] = "torch sees no CUDA device (torch.cuda.is_available() is False; torch built for CUDA %s)" % getattr(torch.version, "cuda", None)
        runner.save()
        return

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    class Lorenz(torch.nn.Module):
        def __init__(self, rho):
            super(Lorenz, self).__init__()
            self.rho = rho
            self.calls = 0

        def forward(self, t, u):
            self.calls += 1
            x, y, z = u[:, 0], u[:, 1], u[:, 2]
            return torch.stack([10.0 * (y - x), x * (self.rho - z) - y, x * y - (8.0 / 3.0) * z], dim=1)

    def integrate(rho):
        n = rho.shape[0]
        u0 = torch.zeros((n, 3), dtype=torch.float32, device=device)
        u0[:, 0] = 1.0
        f = Lorenz(rho)
        with torch.no_grad():
            sol = torchdiffeq.odeint(f, u0, torch.tensor([0.0, 1.0], dtype=torch.float32, device=device), method="rk4", options={"step_size": 1e-3})
        return sol[-1], f.calls

    integrate(torch.ones(1024, dtype=torch.float32, device=device))  # CUDA context and kernels
    sync()

    def solve(config, n):
        rho_host = rho_of(n, np)
        rho_dev = torch.from_numpy(rho_host).to(device)
        sync()
        integrate(rho_dev)  # warm-up at this size (the caching allocator)
        sync()
        kernel, total = [], []
        finals = None
        calls = 0
        for _ in range(runner.reps):
            t = time.perf_counter()
            integrate(rho_dev)
            sync()
            kernel.append((time.perf_counter() - t) * 1e3)
            t = time.perf_counter()
            final, calls = integrate(torch.from_numpy(rho_host).to(device))
            finals = final.cpu().numpy()
            total.append((time.perf_counter() - t) * 1e3)
        idx = plan["indices"].get(str(n))
        return {
            "kernel_ms": kernel, "total_ms": total, "best_kernel_ms": min(kernel), "best_total_ms": min(total),
            "unfinished": int((~np.isfinite(finals).all(axis=1)).sum()),
            "rhs_evaluations": calls, "steps": {"mean": calls / 4.0},
            "sample": sample(finals, idx) if idx else None,
        }

    runner.rows(["rk4-fixed"], solve)
    runner.out["status"] = "failed" if any(r.get("status") == "failed" for r in runner.out["rows"]) else "ran"
    runner.save()


def main(argv):
    if len(argv) >= 2 and argv[0] == "probe":
        probe(argv[1])
        return 0
    if len(argv) >= 3 and argv[0] in ("diffrax", "torchdiffeq"):
        with open(argv[1]) as f:
            plan = json.load(f)
        out_path = argv[2]
        try:
            (run_diffrax if argv[0] == "diffrax" else run_torchdiffeq)(plan, out_path)
        except Exception as e:
            previous = {}
            try:
                with open(out_path) as f:
                    previous = json.load(f)
            except Exception:
                pass
            previous.update({"framework": argv[0], "status": "error", "error": error_text(e), "traceback": traceback.format_exc()[-4000:]})
            write(out_path, previous)
            say("%s failed: %s" % (argv[0], error_text(e)))
            return 1
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
