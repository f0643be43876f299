"""akslocal-kubelogin get-token with a cached token, against `python -c pass`, in the same run.

kubectl runs the plugin once per process, so its cost on a cache hit is added to every
kubectl command.  Cases:

* baseline  - ``python -c pass``: the interpreter's own start-up;
* cache hit - ``get-token --legacy`` with a valid cached token: no httpx, no MSAL, no request;
* version   - ``akslocal-kubelogin --version``: argument parsing only;
* import msal - ``python -c "import msal"``: what a cache miss pays before its first request.

Prints the median wall time of each and its ratio to the baseline (aim: cache hit < 2x).
Run: ``.venv/bin/python benchmarks/kubelogin_startup.py [--runs 15]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_seconds(argv: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{argv} exited {done.returncode}")
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from akslocal.kubelogin.cache import Token, TokenCache, cache_file_name

    with tempfile.TemporaryDirectory() as root:
        cache = TokenCache(root, cache_file_name("AzurePublicCloud", "srv", "cli", "tid", True))
        cache.save(Token("eyJ.cached.token", time.time() + 3600, "srv", "rt"), time.time())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AAD_", "AZURE_"))}
        plugin = [sys.executable, "-m", "akslocal.kubelogin.main"]
        cases = {
            "baseline (python -c pass)": [sys.executable, "-c", "pass"],
            "get-token, cache hit": [*plugin, "get-token", "--server-id", "srv", "--client-id", "cli", "--tenant-id",
                                     "tid", "--authority-host", "https://127.0.0.1:9/", "--legacy", "--cache-dir",
                                     root],
            "akslocal-kubelogin --version": [*plugin, "--version"],
            "python -c 'import msal'": [sys.executable, "-c", "import msal"],
        }
        results = {name: median_seconds(argv, args.runs, env) for name, argv in cases.items()}
    baseline = results["baseline (python -c pass)"]
    for name, seconds in results.items():
        print(f"{name:36s} {seconds * 1000:8.1f} ms  {seconds / baseline:5.2f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
