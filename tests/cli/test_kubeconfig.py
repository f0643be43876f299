"""Kubeconfig merging as `az aks get-credentials` does it (acs custom.py semantics)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from akslocal.cli.aks.kubeconfig import merge, merge_into_file
from akslocal.cli.core.errors import AzLocalError


def kubeconfig(name: str, user: str, server: str = "https://127.0.0.1:8443/clusters/c1") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": "Q0E="}}],
        "users": [{"name": user, "user": {"token": "t0k3n"}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user}}],
        "current-context": name,
        "preferences": {},
    }


def admin(name: str = "myakscluster", rg: str = "myResourceGroup", **kw) -> dict:
    return kubeconfig(name, f"clusterAdmin_{rg}_{name}", **kw)


def user(name: str = "myakscluster", rg: str = "myResourceGroup", **kw) -> dict:
    return kubeconfig(name, f"clusterUser_{rg}_{name}", **kw)


def test_admin_context_gets_the_admin_suffix_and_becomes_current() -> None:
    merged = merge(None, admin(), replace=False)
    assert merged["current-context"] == "myakscluster-admin"
    assert [c["name"] for c in merged["contexts"]] == ["myakscluster-admin"]
    assert merged["contexts"][0]["context"]["cluster"] == "myakscluster"


def test_user_context_keeps_the_cluster_name() -> None:
    assert merge(None, user(), replace=False)["current-context"] == "myakscluster"


def test_admin_then_user_live_side_by_side_with_one_cluster_entry() -> None:
    merged = merge(merge(None, admin(), False), user(), replace=False)
    assert sorted(c["name"] for c in merged["contexts"]) == ["myakscluster", "myakscluster-admin"]
    assert sorted(u["name"] for u in merged["users"]) == ["clusterAdmin_myResourceGroup_myakscluster",
                                                         "clusterUser_myResourceGroup_myakscluster"]
    assert len(merged["clusters"]) == 1  # identical entries are replaced silently
    assert merged["current-context"] == "myakscluster"


@pytest.mark.parametrize("replace", [pytest.param(False, id="conflict-refused"),
                                     pytest.param(True, id="overwrite-existing")])
def test_a_different_entry_with_the_same_name_needs_overwrite_existing(replace: bool) -> None:
    existing = user()
    changed = user(server="https://127.0.0.1:9999/clusters/other")
    if replace:
        merged = merge(existing, changed, replace=True)
        assert merged["clusters"] == changed["clusters"]
    else:
        with pytest.raises(AzLocalError, match=r"A different object named myakscluster already exists in clusters "
                                               r"in your kubeconfig file\."):
            merge(existing, changed, replace=False)


def test_a_yes_at_the_prompt_replaces() -> None:
    changed = user(server="https://127.0.0.1:9999/clusters/other")
    merged = merge(user(), changed, replace=False, confirm=lambda name: True)
    assert merged["clusters"] == changed["clusters"]


def test_context_option_renames_context_and_cluster() -> None:
    merged = merge(None, user(), replace=False, context_name="dev")
    assert merged["current-context"] == "dev"
    assert merged["clusters"][0]["name"] == "dev"
    assert merged["contexts"][0] == {"name": "dev", "context": {"cluster": "dev",
                                                                "user": "clusterUser_myResourceGroup_myakscluster"}}


def test_other_entries_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig("kind-kind", "kind-kind")))
    os.chmod(path, 0o600)
    merge_into_file(path, yaml.safe_dump(admin()), False, None, warn=lambda m: None)
    merged = yaml.safe_load(path.read_text())
    assert sorted(c["name"] for c in merged["contexts"]) == ["kind-kind", "myakscluster-admin"]


def test_a_new_file_is_mode_600_in_a_new_directory(tmp_path: Path) -> None:
    path = tmp_path / ".kube" / "config"
    warnings: list[str] = []
    current = merge_into_file(path, yaml.safe_dump(admin()), False, None, warn=warnings.append)
    assert current == "myakscluster-admin"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert warnings == []
    assert yaml.safe_load(path.read_text())["current-context"] == "myakscluster-admin"


def test_a_group_readable_file_keeps_its_mode_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("")
    os.chmod(path, 0o644)
    warnings: list[str] = []
    merge_into_file(path, yaml.safe_dump(user()), False, None, warn=warnings.append)
    assert warnings == [f'{path} has permissions "644".\nIt should be readable and writable only by its owner.']
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.write_text("")
    link = tmp_path / "config"
    link.symlink_to(target)
    with pytest.raises(AzLocalError, match="is a symbolic link"):
        merge_into_file(link, yaml.safe_dump(user()), False, None, warn=lambda m: None)


def test_a_file_that_is_not_yaml_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: [unclosed\n")
    with pytest.raises(AzLocalError, match="Error parsing"):
        merge_into_file(path, yaml.safe_dump(user()), False, None, warn=lambda m: None)
    assert path.read_text() == "clusters: [unclosed\n"
