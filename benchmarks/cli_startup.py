"""azlocal start-up: `azlocal --version` and a knack-parsed command against `python -c pass`, in the same run.

* baseline - ``python -c pass``: the interpreter's own start-up;
* version  - ``azlocal --version``: answered before knack is imported;
* query    - ``azlocal account show --query tenantId -o tsv`` with an empty config dir: knack, the
  account module and the argument parser load, then the "please log in" error (no network);
* help     - ``azlocal aks create -h``: the one command module plus its YAML help.

Prints the median wall time of each and its ratio to the baseline (aim: version < 2x, query
well under a second).  Run: ``.venv/bin/python benchmarks/cli_startup.py [--runs 15]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def median_seconds(argv: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, AKSLOCAL_CONFIG_DIR=config, AKSLOCAL_ENDPOINT="https://127.0.0.1:9")
        cli = [sys.executable, "-m", "akslocal.cli.main"]
        cases = {
            "baseline (python -c pass)": [sys.executable, "-c", "pass"],
            "azlocal --version": [*cli, "--version"],
            "azlocal account show --query tenantId -o tsv": [*cli, "account", "show", "--query", "tenantId",
                                                             "-o", "tsv"],
            "azlocal aks create -h": [*cli, "aks", "create", "-h"],
        }
        results = {name: median_seconds(argv, args.runs, env) for name, argv in cases.items()}
    baseline = results["baseline (python -c pass)"]
    for name, seconds in results.items():
        print(f"{name:48s} {seconds * 1000:8.1f} ms  {seconds / baseline:5.2f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
