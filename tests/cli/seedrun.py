"""Runs the seed document's commands verbatim (az → azlocal) in one bash session, one output file per step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.cli.support import AzLocal
from tests.support.seed import seed_commands, to_azlocal

VARIABLES = ("aksname", "serverApplicationId", "serverApplicationSecret", "clientApplicationId",
             "oAuthPermissionId", "tenantId")


@dataclass
class Step:
    command: str
    stdout: str
    stderr: str


def az_commands() -> list[str]:
    """The seed's shell commands that are not kubectl's."""
    return [c for c in seed_commands() if not c.startswith("kubectl ")]


def run_steps(az: AzLocal, commands: list[str], workdir: Path) -> tuple[list[Step], dict[str, str]]:
    lines = []
    for i, command in enumerate(commands):
        lines.append(f"{{ {to_azlocal(command)}\n}} >{workdir}/step{i}.out 2>{workdir}/step{i}.err")
    for name in VARIABLES:
        lines.append(f'printf "%s=%s\\n" {name} "${{{name}:-}}" >> {workdir}/vars.txt')
    result = az.shell("\n".join(lines), check=False)
    steps = []
    for i, command in enumerate(commands):
        out, err = workdir / f"step{i}.out", workdir / f"step{i}.err"
        steps.append(Step(command, out.read_text() if out.exists() else "", err.read_text() if err.exists() else ""))
    if result.returncode != 0:
        failed = next((s for s in reversed(steps) if s.stdout or s.stderr), None)
        raise AssertionError(f"the seed's commands stopped ({result.returncode}) at:\n"
                             f"{failed.command if failed else '?'}\n{failed.stderr if failed else result.stderr}")
    values = dict(line.split("=", 1) for line in (workdir / "vars.txt").read_text().splitlines())
    return steps, values


GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
