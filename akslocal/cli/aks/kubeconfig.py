"""Merging a kubeconfig from listCluster{Admin,User}Credential into a file, exactly as az does.

- The admin context (its user starts with ``clusterAdmin``) gets ``-admin`` appended and
  becomes current; ``--context`` renames the context and its cluster first.
- An entry with the same name and different content is a conflict: replaced with
  ``--overwrite-existing`` (or a "y" at the prompt on a terminal), else an error.
- The file is written atomically, mode 600 when new (an existing file keeps its mode,
  with az's warning when that is not 600); a symlink is refused.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

from akslocal.cli.core.errors import AzLocalError

SECTIONS = ("clusters", "users", "contexts")


def rename_contexts(addition: dict, context_name: str | None) -> dict:
    if context_name is not None:
        addition["contexts"][0]["name"] = context_name
        addition["contexts"][0]["context"]["cluster"] = context_name
        addition["clusters"][0]["name"] = context_name
        addition["current-context"] = context_name
    for ctx in addition.get("contexts") or []:
        user = (ctx.get("context") or {}).get("user")
        if isinstance(user, str) and user.startswith("clusterAdmin"):
            ctx["name"] = addition["current-context"] = ctx["name"] + "-admin"
            break
    return addition


def _merge_section(existing: dict, addition: dict, key: str, replace: bool, confirm: Callable[[str], bool]) -> None:
    if not addition.get(key):
        return
    if existing.get(key) is None:
        existing[key] = list(addition[key])
        return
    for item in addition[key]:
        for old in list(existing[key]):
            if not item.get("name") or old.get("name") != item["name"]:
                continue
            if replace or item == old or confirm(item["name"]):
                existing[key].remove(old)
            else:
                raise AzLocalError(f"A different object named {item['name']} already exists in {key} in your "
                                   "kubeconfig file.")
        existing[key].append(item)


def merge(existing: dict | None, addition: dict, replace: bool, context_name: str | None = None,
          confirm: Callable[[str], bool] = lambda name: False) -> dict:
    """The merged kubeconfig (``existing`` is changed in place when given)."""
    addition = rename_contexts(addition, context_name)
    if not existing:
        return addition
    for key in SECTIONS:
        _merge_section(existing, addition, key, replace, confirm)
    existing["current-context"] = addition.get("current-context")
    return existing


def _prompt(name: str) -> bool:
    from knack.prompting import NoTTYException, prompt_y_n

    try:
        return prompt_y_n(f"A different object named {name} already exists in your kubeconfig file.\nOverwrite?")
    except NoTTYException:
        return False


def merge_into_file(path: Path, kubeconfig_text: str, overwrite_existing: bool, context_name: str | None,
                    warn: Callable[[str], None]) -> str:
    """Merge into ``path`` (created 600 if missing) and return the new current context."""
    try:
        addition = yaml.safe_load(kubeconfig_text)
    except yaml.YAMLError as error:
        raise AzLocalError(f"The cluster returned a kubeconfig that is not YAML: {error}") from error
    if not isinstance(addition, dict):
        raise AzLocalError("Fail to find kubeconfig file.")
    if path.is_symlink():
        raise AzLocalError(f'Kubeconfig path "{path}" is a symbolic link. Refusing to write to prevent '
                           "symlink-following attacks.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        existing = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise AzLocalError(f"Error parsing {path} ({error})") from error
    if existing is not None and not isinstance(existing, dict):
        raise AzLocalError(f"Error parsing {path} (not a kubeconfig)")
    if existing:
        missing = [k for k in SECTIONS if addition.get(k) and k not in existing]
        if missing:
            raise AzLocalError(f"No such key '{missing[0]}' in existing config, please confirm whether it is a "
                               "valid config file. May back up this config file, delete it and retry the command.")
    merged = merge(existing, addition, overwrite_existing, context_name, confirm=_prompt)
    mode = stat.S_IMODE(path.stat().st_mode)
    if not f"{mode:o}".endswith("600"):
        warn(f'{path} has permissions "{mode:o}".\nIt should be readable and writable only by its owner.')
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    try:
        with os.fdopen(fd, "w") as stream:
            yaml.safe_dump(merged, stream, default_flow_style=False)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return str(merged.get("current-context", "UNKNOWN"))
