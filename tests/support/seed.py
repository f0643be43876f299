"""The seed document's commands, read from the document itself (never a hand copy).

The document is ``../shared/seed/entra-aks-legacy.txt`` beside the repository (CI lays
``shared/`` beside the clone too).  Its YAML lost its indentation on the way into plain
text; :func:`binding_manifest` gives it with Kubernetes' indentation restored.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "entra-aks-legacy.txt"

_COMMAND = re.compile(r"^(az |kubectl |[A-Za-z]+=\$\(az |[A-Za-z]+=\")")



def seed_text() -> str:
    return SEED.read_text()


def seed_commands() -> list[str]:
    """Every shell command of the walkthrough, in order, continuation lines joined.

    Stops at the sample output (the second ``kubectl get pods --all-namespaces`` is the
    document echoing the command above its output) and leaves out the FAQ's
    placeholder commands (``<RGName>``).
    """
    lines = seed_text().splitlines()
    commands: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _COMMAND.match(line) and "<" not in line:
            parts = [line]
            while parts[-1].endswith("\\") and i + 1 < len(lines):
                i += 1
                parts.append(lines[i])
            command = "\n".join(parts)
            if command in commands and command.startswith("kubectl get pods"):
                break
            commands.append(command)
        i += 1
    return commands


def to_azlocal(command: str) -> str:
    """`az …` → `azlocal …`, also inside `$(az …)`."""
    return re.sub(r"(^|\$\()az ", r"\1azlocal ", command)


def binding_manifest(subject: str) -> str:
    """The document's basic-azure-ad-binding.yaml for ``subject``, taken from the story script
    (``akslocal/demo/seed.sh``), the one place where its indentation is restored."""
    from akslocal.demo.command import story_path

    story = story_path().read_text()
    manifest = story.split("<<YAML\n", 1)[1].split("\nYAML\n", 1)[0] + "\n"
    return manifest.replace("$upn", subject)
