"""Fixture import: tenants, users, nested groups, a guest from a second tenant, 250 groups, idempotence."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from akslocal.directory import groups, roles, tenants, users
from akslocal.directory.fixtures import FixtureError, import_file
from tests.directory.conftest import snapshot

FIXTURE = """
tenants:
  - domain: default
    users:
      - upn: alice@akslocal.onmicrosoft.com
        displayName: Alice Admin
        password: Al1ce-Passw0rd
        roles: [Global Administrator]
      - upn: bob                      # the tenant's initial domain is added
        displayName: Bob
        password: B0b-Passw0rd!
        groups: [{prefix: team-, count: 250}]
      - upn: disabled@akslocal.onmicrosoft.com
        password: Dis4bled-Passw0rd
        accountEnabled: false
    groups:
      - displayName: aks-admins
        members: [alice@akslocal.onmicrosoft.com, carol@fabrikam.onmicrosoft.com]
      - displayName: platform
        members: [aks-admins]         # nested: a group in a group
      - displayName: company
        members: [platform]
    guests:
      - email: carol@fabrikam.onmicrosoft.com
  - domain: fabrikam.onmicrosoft.com
    displayName: Fabrikam
    users:
      - upn: carol@fabrikam.onmicrosoft.com
        displayName: Carol
        password: Car0l-Passw0rd
"""


def write(tmp_path, text: str):
    path = tmp_path / "fixture.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_import_creates_everything(services, tmp_path) -> None:
    [summary] = import_file(services, write(tmp_path, FIXTURE))
    assert "1 tenant(s), 4 user(s), 253 group(s), 1 guest(s)" in summary
    with services.store.transaction(write=False) as tx:
        tenant = tenants.default_tenant(tx)
        fabrikam = tenants.resolve_tenant(tx, "fabrikam.onmicrosoft.com")
        alice = users.find_by_upn(tx, tenant.id, "alice@akslocal.onmicrosoft.com")
        bob = users.find_by_upn(tx, tenant.id, "bob@akslocal.onmicrosoft.com")
        carol_home = users.find_by_upn(tx, fabrikam.id, "carol@fabrikam.onmicrosoft.com")
        guest = users.find_guest(tx, tenant.id, fabrikam.id, carol_home.id)
        assert users.check_password(alice, "Al1ce-Passw0rd") and roles.is_global_admin(tx, tenant.id, alice.id)
        assert len(groups.transitive_group_ids(tx, tenant.id, bob.id)) == 250
        assert not users.find_by_upn(tx, tenant.id, "disabled@akslocal.onmicrosoft.com").account_enabled
        assert guest.upn == "carol_fabrikam.onmicrosoft.com#EXT#@akslocal.onmicrosoft.com"
        names = {
            groups.get_group(tx, tenant.id, g).display_name
            for g in groups.transitive_group_ids(tx, tenant.id, guest.id)
        }
        assert names == {"aks-admins", "platform", "company"}
        assert users.authenticate(tx, tenant.id, "carol@fabrikam.onmicrosoft.com", "Car0l-Passw0rd").id == guest.id


def test_import_is_idempotent(services, tmp_path) -> None:
    path = write(tmp_path, FIXTURE)
    import_file(services, path)
    before = snapshot(services)
    [summary] = import_file(services, path)
    assert "0 tenant(s), 0 user(s), 0 group(s), 0 guest(s), 0 membership(s), 0 role assignment(s)" in summary
    assert snapshot(services) == before


@pytest.mark.parametrize(
    "text, where",
    [
        pytest.param("tenants: {}", "tenants", id="tenants-not-a-list"),
        pytest.param(
            "tenants: [{domain: default, users: [{upn: x@akslocal.onmicrosoft.com}]}]", "password", id="no-password"
        ),
        pytest.param("tenants: [{domain: default, colour: red}]", "unknown key", id="unknown-key"),
        pytest.param(
            "tenants: [{domain: default, groups: [{displayName: g, members: [nobody@x.com]}]}]",
            "no user",
            id="bad-member",
        ),
        pytest.param(
            "tenants: [{domain: default, users: [{upn: u, password: Passw0rd!x, "
            "groups: [{prefix: t, count: 99999}]}]}]",
            "count",
            id="huge-expansion",
        ),
        pytest.param(
            "tenants: [{domain: default, users: [{upn: u, password: Passw0rd!x, roles: [Emperor]}]}]",
            "unknown directory role",
            id="bad-role",
        ),
        pytest.param("tenants: [{domain: 'bad domain', users: []}]", "Invalid domain", id="bad-domain"),
        pytest.param("tenants: [\n  - {domain: default\n", "not valid YAML", id="bad-yaml"),
        pytest.param(
            'tenants: [{domain: default, users: [{upn: "a\'; DROP TABLE x;--@akslocal.onmicrosoft.com", '
            "password: Passw0rd!x}]}]",
            "userPrincipalName",
            id="sql-in-upn",
        ),
    ],
)
def test_bad_fixtures_change_nothing(services, tmp_path, text, where) -> None:
    before = snapshot(services)
    with pytest.raises(FixtureError) as exc:
        import_file(services, write(tmp_path, text))
    assert where in str(exc.value)
    assert snapshot(services) == before


def test_a_failure_late_in_the_file_rolls_back_the_start(services, tmp_path) -> None:
    text = """
    tenants:
      - domain: new.onmicrosoft.com
        users: [{upn: ok@new.onmicrosoft.com, password: Passw0rd!x}]
        groups: [{displayName: g, members: [ghost@new.onmicrosoft.com]}]
    """
    before = snapshot(services)
    with pytest.raises(FixtureError, match=r"tenants\[0\]\.groups\[0\]\.members\[0\]"):
        import_file(services, write(tmp_path, text))
    assert snapshot(services) == before
    with services.store.transaction(write=False) as tx:
        assert tenants.resolve_tenant(tx, "new.onmicrosoft.com") is None


def test_akslocal_import_command(tmp_path) -> None:
    path = write(tmp_path, FIXTURE)
    env = {"AKSLOCAL_ADMIN_PASSWORD": "Adm1n-Passw0rd!", "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "akslocal.server.main", "import", str(path), "--data-dir", str(tmp_path / "data")]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "Tenant:" in first.stdout and "253 group(s)" in first.stdout
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0 and "0 group(s)" in second.stdout
    bad = write(tmp_path, "tenants: [{domain: default, nope: 1}]")
    third = subprocess.run([*cmd[:4], str(bad), *cmd[5:]], capture_output=True, text=True, env=env, timeout=120)
    assert third.returncode == 1 and "unknown key(s) nope" in third.stderr


def test_the_documented_example_imports(services, tmp_path) -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "directory.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    [summary] = import_file(services, write(tmp_path, block))
    assert "1 tenant(s), 3 user(s)" in summary and "1 guest(s)" in summary
    with services.store.transaction(write=False) as tx:
        bob = users.find_by_upn(tx, tenants.default_tenant(tx).id, "bob@akslocal.onmicrosoft.com")
        assert len(groups.transitive_group_ids(tx, bob.tenant_id, bob.id)) == 251
