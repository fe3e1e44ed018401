"""Every NVRTC library (libnvrtc.so*) this Python can see: NVIDIA's pip wheels
(nvidia-cuda-nvrtc, -cu12, -cu11) wherever they are importable or lie in
site-packages or on sys.path. Prints a JSON list of {"path", "major"},
newest CUDA major first. Used by the GPU check when cubie's own search finds
no NVRTC, or one the driver cannot use."""
import glob
import importlib
import json
import os
import re
import site
import sys

NAME = re.compile(r"^libnvrtc\.so(\.(\d+))?(\.\d+)*$")


def main():
    found = []
    bases = []
    for module in ("nvidia.cuda_nvrtc", "nvidia.cu13", "nvidia.cu12", "nvidia"):
        try:
            m = importlib.import_module(module)
        except Exception:
            continue
        bases.extend(list(getattr(m, "__path__", []) or []))
    for base in bases:
        for pattern in ("lib/libnvrtc.so*", "*/lib/libnvrtc.so*"):
            found.extend(glob.glob(os.path.join(base, pattern)))
    dirs = []
    try:
        dirs.extend(site.getsitepackages())
    except Exception:
        pass
    try:
        dirs.append(site.getusersitepackages())
    except Exception:
        pass
    dirs.extend(p for p in sys.path if p)
    for d in dirs:
        found.extend(glob.glob(os.path.join(d, "nvidia", "*", "lib", "libnvrtc.so*")))
    out, seen = [], set()
    for path in found:
        m = NAME.match(os.path.basename(path))
        if not m or not os.path.isfile(path):
            continue
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        out.append({"path": os.path.abspath(path), "major": int(m.group(2)) if m.group(2) else None})
    out.sort(key=lambda e: -(e["major"] or 0))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
