"""Bootstrap (default tenant + admin, idempotent) and the domain's import purity."""

from __future__ import annotations

import subprocess
import sys

from akslocal.directory import bootstrap, roles, tenants, users
from tests.directory.conftest import make_services


def test_bootstrap_is_idempotent_and_prints_no_password_when_given(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AKSLOCAL_ADMIN_PASSWORD", "Adm1n-Passw0rd!")
    s = make_services(tmp_path)
    first = bootstrap.bootstrap(s)
    second = bootstrap.bootstrap(s)
    assert first == second
    assert first[0].startswith("Tenant: ") and first[1] == "Admin: admin@akslocal.onmicrosoft.com"
    assert not any("password" in line.lower() for line in first)
    with s.store.transaction(write=False) as tx:
        tenant = tenants.default_tenant(tx)
        assert tenant.initial_domain == "akslocal.onmicrosoft.com" and first[0] == f"Tenant: {tenant.id}"
        admin = users.find_by_upn(tx, tenant.id, "admin@akslocal.onmicrosoft.com")
        assert users.check_password(admin, "Adm1n-Passw0rd!")
        assert roles.is_global_admin(tx, tenant.id, admin.id)
    s.store.close()


def test_generated_password_is_printed_once(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("AKSLOCAL_ADMIN_PASSWORD", raising=False)
    s = make_services(tmp_path)
    first = bootstrap.bootstrap(s)
    [line] = [x for x in first if x.startswith("Admin password: ")]
    password = line.split()[2]
    assert not any("password" in x.lower() for x in bootstrap.bootstrap(s))
    with s.store.transaction(write=False) as tx:
        tenant = tenants.default_tenant(tx)
        assert users.authenticate(tx, tenant.id, bootstrap.ADMIN_UPN, password)
    s.store.close()


def test_importing_the_directory_pulls_in_no_web_or_orm_stack() -> None:
    code = (
        "import sys, akslocal.directory, akslocal.directory.grants, akslocal.directory.fixtures, "
        "akslocal.directory.bootstrap\n"
        "bad = [m for m in ('starlette', 'sqlalchemy.orm', 'httpx', 'uvicorn', 'pydantic') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
