"""Every directory rule of issue 2, against a real store."""

from __future__ import annotations

import json

import pytest

from akslocal.directory import (
    apps,
    credentials,
    errors,
    firstparty,
    grants,
    groups,
    roles,
    service_principals,
    tenants,
    users,
)
from akslocal.directory.errors import DirectoryError
from akslocal.directory.kinds import APPLICATIONS, SERVICE_PRINCIPALS
from tests.directory.conftest import snapshot

GRAPH_USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
GRAPH_DIR_READ_SCOPE = "06da0dbc-49e2-44d2-8312-53f166ab848a"
GRAPH_DIR_READ_ROLE = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"


def create_app(d, **fields):
    fields.setdefault("display_name", "app")
    with d.tx() as tx:
        return apps.create_application(tx, d.tid, fields, now=d.s.clock.now(), entropy=d.s.entropy)


def create_sp(d, app_id):
    with d.tx() as tx:
        return service_principals.create_service_principal(tx, d.tid, app_id, now=d.s.clock.now(), entropy=d.s.entropy)


# --- applications ----------------------------------------------------------------------------


def test_identifier_uri_gives_default_user_impersonation_scope(d) -> None:
    app = create_app(d, display_name="myaksServer", identifier_uris=("https://myaksServer",))
    [scope] = app.oauth2_scopes
    assert scope.value == "user_impersonation" and scope.type == "User" and scope.is_enabled
    assert scope.admin_consent_display_name == "Access myaksServer"
    assert scope.user_consent_description == "Allow the application to access myaksServer on your behalf."


def test_no_identifier_uri_no_default_scope(d) -> None:
    assert create_app(d, display_name="client").oauth2_scopes == ()


@pytest.mark.parametrize(
    "uris",
    [
        pytest.param(("not a uri",), id="spaces"),
        pytest.param(("noscheme",), id="no-scheme"),
        pytest.param(("https://x#frag",), id="fragment"),
        pytest.param(("https://x\x00y",), id="control-char"),
        pytest.param(("https://" + "a" * 2000,), id="oversized"),
        pytest.param(("https://dup", "https://DUP/"), id="duplicate-in-one-app"),
        pytest.param(("'; DROP TABLE records; --",), id="sql-metacharacters"),
    ],
)
def test_invalid_identifier_uris_are_refused_and_nothing_is_written(d, uris) -> None:
    before = snapshot(d.s)
    with pytest.raises(DirectoryError) as exc:
        create_app(d, identifier_uris=uris)
    assert exc.value.code == errors.BAD_REQUEST
    assert snapshot(d.s) == before


def test_identifier_uris_are_unique_in_the_tenant(d) -> None:
    create_app(d, display_name="a", identifier_uris=("https://shared",))
    before = snapshot(d.s)
    with pytest.raises(DirectoryError) as exc:
        create_app(d, display_name="b", identifier_uris=("https://SHARED/",))
    assert exc.value.message == "Another object with the same value for property identifierUris already exists."
    assert snapshot(d.s) == before


def test_unicode_display_name_round_trips(d) -> None:
    app = create_app(d, display_name="Zürich 服务 🚀")
    with d.tx(False) as tx:
        assert apps.get_application(tx, d.tid, app.id).display_name == "Zürich 服务 🚀"


@pytest.mark.parametrize("value", ["None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All", None])
def test_group_membership_claims_values_accepted(d, value) -> None:
    app = create_app(d)
    with d.tx() as tx:
        assert (
            apps.update_application(tx, d.tid, app.id, {"group_membership_claims": value}).group_membership_claims
            == value
        )


@pytest.mark.parametrize("value", ["all", "Everything", 3, ""])
def test_group_membership_claims_other_values_refused(d, value) -> None:
    app = create_app(d)
    with pytest.raises(DirectoryError), d.tx() as tx:
        apps.update_application(tx, d.tid, app.id, {"group_membership_claims": value})


def test_unknown_field_refused(d) -> None:
    with pytest.raises(DirectoryError, match="read-only or unknown"):
        create_app(d, app_id="00000000-0000-0000-0000-000000000001")


def test_enabled_scope_cannot_be_removed(d) -> None:
    app = create_app(d, identifier_uris=("api://x",))
    with pytest.raises(DirectoryError, match="disabled first"), d.tx() as tx:
        apps.update_application(tx, d.tid, app.id, {"oauth2_scopes": ()})
    import dataclasses

    disabled = dataclasses.replace(app.oauth2_scopes[0], is_enabled=False)
    with d.tx() as tx:
        apps.update_application(tx, d.tid, app.id, {"oauth2_scopes": (disabled,)})
        assert apps.update_application(tx, d.tid, app.id, {"oauth2_scopes": ()}).oauth2_scopes == ()


def test_deleting_an_app_deletes_its_service_principal_and_its_grants(d) -> None:
    app = create_app(d, identifier_uris=("https://srv",))
    sp = create_sp(d, app.app_id)
    with d.tx() as tx:
        apps.add_required_permissions(tx, d.tid, app.id, firstparty.GRAPH, [(GRAPH_USER_READ, "Scope")])
        grants.admin_consent(tx, d.tid, actor_id=d.admin.id, app_id=app.app_id, now=1, entropy=d.s.entropy)
        apps.delete_application(tx, d.tid, app.id)
    with d.tx(False) as tx:
        assert service_principals.get_service_principal(tx, d.tid, sp.id) is None
        assert grants.list_grants(tx, d.tid, client_id=sp.id) == []
        assert service_principals.find_for_resource(tx, d.tid, "https://srv") is None


def test_adding_a_permission_creates_no_grant(d) -> None:
    app = create_app(d)
    sp = create_sp(d, app.app_id)
    with d.tx() as tx:
        app = apps.add_required_permissions(
            tx, d.tid, app.id, firstparty.GRAPH, [(GRAPH_USER_READ, "Scope"), (GRAPH_DIR_READ_ROLE, "Role")]
        )
        app = apps.add_required_permissions(tx, d.tid, app.id, firstparty.GRAPH, [(GRAPH_USER_READ, "Scope")])
    [entry] = app.required_resource_access
    assert [(a.id, a.type) for a in entry.resource_access] == [
        (GRAPH_USER_READ, "Scope"),
        (GRAPH_DIR_READ_ROLE, "Role"),
    ]
    with d.tx(False) as tx:
        graph = service_principals.find_by_app_id(tx, d.tid, firstparty.GRAPH)
        assert grants.list_grants(tx, d.tid, client_id=sp.id) == []
        assert grants.app_role_values(tx, sp.id, graph.id) == []


def test_service_principal_names_follow_the_app(d) -> None:
    app = create_app(d, identifier_uris=("https://one",))
    sp = create_sp(d, app.app_id)
    assert sp.service_principal_names == (app.app_id, "https://one")
    with d.tx() as tx:
        apps.update_application(tx, d.tid, app.id, {"identifier_uris": ("https://two",)})
        assert service_principals.find_for_resource(tx, d.tid, "https://two/").id == sp.id
        assert service_principals.find_for_resource(tx, d.tid, "https://one") is None


def test_second_service_principal_for_one_app_refused(d) -> None:
    app = create_app(d)
    create_sp(d, app.app_id)
    with pytest.raises(DirectoryError) as exc:
        create_sp(d, app.app_id)
    assert exc.value.code == errors.CONFLICT


def test_sp_for_unknown_app_refused(d) -> None:
    with pytest.raises(DirectoryError, match="does not reference a valid application"):
        create_sp(d, "11111111-1111-1111-1111-111111111111")


# --- first party -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource, app_id",
    [
        ("https://graph.microsoft.com", firstparty.GRAPH),
        ("https://graph.microsoft.com/", firstparty.GRAPH),
        ("00000003-0000-0000-c000-000000000000", firstparty.GRAPH),
        ("https://127.0.0.1:8443/", firstparty.GRAPH),  # the edge URL (the az CLI's custom-cloud Graph resource)
        ("https://management.core.windows.net/", firstparty.SERVICE_MANAGEMENT),
        ("https://management.azure.com", firstparty.SERVICE_MANAGEMENT),
        (firstparty.AKS_SERVER, firstparty.AKS_SERVER),
        (firstparty.AZURE_CLI, firstparty.AZURE_CLI),
        (firstparty.AKS_CLIENT, firstparty.AKS_CLIENT),
    ],
)
def test_first_party_service_principals_in_every_tenant(d, resource, app_id) -> None:
    with d.tx() as tx:
        other = tenants.create_tenant(
            tx, initial_domain="other.onmicrosoft.com", display_name="o", now=1, entropy=d.s.entropy
        )
    for tid in (d.tid, other.id):
        with d.tx(False) as tx:
            sp = service_principals.find_for_resource(tx, tid, resource)
            assert sp is not None and sp.app_id == app_id and sp.first_party


def test_graph_permission_ids_are_the_real_ones(d) -> None:
    with d.tx(False) as tx:
        graph = service_principals.find_by_app_id(tx, d.tid, firstparty.GRAPH)
    scopes = {s.value: s.id for s in graph.oauth2_scopes}
    app_roles = {r.value: r.id for r in graph.app_roles}
    assert scopes["User.Read"] == GRAPH_USER_READ
    assert scopes["Directory.Read.All"] == GRAPH_DIR_READ_SCOPE
    assert app_roles["Directory.Read.All"] == GRAPH_DIR_READ_ROLE
    assert {"GroupMember.Read.All", "User.Read.All", "Application.ReadWrite.All"} <= set(scopes) & set(app_roles)


def test_first_party_app_registrations_are_static(d) -> None:
    with d.tx(False) as tx:
        cli = apps.find_by_app_id(tx, firstparty.AZURE_CLI)
    assert cli.public_client and cli.tenant_id == firstparty.MICROSOFT_TENANT


# --- credentials -----------------------------------------------------------------------------


def test_secret_is_shown_once_and_stored_hashed(d) -> None:
    app = create_app(d)
    sp = create_sp(d, app.app_id)
    with d.tx() as tx:
        new = credentials.add_password(
            tx, d.tid, credentials.SERVICE_PRINCIPAL, sp.id, now=d.s.clock.now(), entropy=d.s.entropy
        )
    assert len(new.secret_text) == 40 and new.secret_text[4:6] == "Q~"
    assert new.credential.hint == new.secret_text[:3]
    with d.tx(False) as tx:
        stored = json.dumps(tx.get(SERVICE_PRINCIPALS, f"{d.tid}/{sp.id}"))
        assert new.secret_text not in stored
        assert credentials.verify_client_secret(tx, d.tid, app.app_id, new.secret_text, d.s.clock.now())
        assert not credentials.verify_client_secret(tx, d.tid, app.app_id, new.secret_text + "x", d.s.clock.now())
        assert not credentials.verify_client_secret(tx, d.tid, app.app_id, new.secret_text, new.credential.end + 1)
    assert "secret" not in repr(new)


@pytest.mark.parametrize("append, remaining", [(False, 1), (True, 2)])
def test_credential_reset_replaces_unless_append(d, append, remaining) -> None:
    app = create_app(d)
    with d.tx() as tx:
        now = d.s.clock.now()
        first = credentials.add_password(tx, d.tid, credentials.APPLICATION, app.id, now=now, entropy=d.s.entropy)
        second = credentials.add_password(
            tx, d.tid, credentials.APPLICATION, app.id, now=now, entropy=d.s.entropy, append=append
        )
        assert len(credentials.list_passwords(tx, d.tid, credentials.APPLICATION, app.id)) == remaining
        now = d.s.clock.now()
        assert credentials.verify_client_secret(tx, d.tid, app.app_id, first.secret_text, now) is append
        assert credentials.verify_client_secret(tx, d.tid, app.app_id, second.secret_text, now)


def test_remove_password(d) -> None:
    app = create_app(d)
    with d.tx() as tx:
        new = credentials.add_password(
            tx, d.tid, credentials.APPLICATION, app.id, now=d.s.clock.now(), entropy=d.s.entropy
        )
        credentials.remove_password(tx, d.tid, credentials.APPLICATION, app.id, new.credential.key_id)
        assert not credentials.verify_client_secret(tx, d.tid, app.app_id, new.secret_text, d.s.clock.now())
    with pytest.raises(DirectoryError), d.tx() as tx:
        credentials.remove_password(tx, d.tid, credentials.APPLICATION, app.id, new.credential.key_id)


# --- grants and consent ----------------------------------------------------------------------


def _app_with_graph_permissions(d):
    app = create_app(d, identifier_uris=("https://srv",))
    sp = create_sp(d, app.app_id)
    with d.tx() as tx:
        apps.add_required_permissions(
            tx,
            d.tid,
            app.id,
            firstparty.GRAPH,
            [(GRAPH_USER_READ, "Scope"), (GRAPH_DIR_READ_SCOPE, "Scope"), (GRAPH_DIR_READ_ROLE, "Role")],
        )
        graph = service_principals.find_by_app_id(tx, d.tid, firstparty.GRAPH)
    return app, sp, graph


def test_all_principals_grant_needs_global_admin(d) -> None:
    _app, sp, graph = _app_with_graph_permissions(d)
    alice = d.user("alice")
    before = snapshot(d.s)
    with pytest.raises(DirectoryError) as exc, d.tx() as tx:
        grants.create_grant(
            tx,
            d.tid,
            actor_id=alice.id,
            client_id=sp.id,
            consent_type="AllPrincipals",
            resource_id=graph.id,
            scope="User.Read",
            entropy=d.s.entropy,
        )
    assert exc.value.code == errors.DENIED and exc.value.status == 403
    assert snapshot(d.s) == before
    with d.tx() as tx:
        grants.create_grant(
            tx,
            d.tid,
            actor_id=d.admin.id,
            client_id=sp.id,
            consent_type="AllPrincipals",
            resource_id=graph.id,
            scope="User.Read",
            entropy=d.s.entropy,
        )
        assert grants.delegated_scopes(tx, d.tid, sp.id, graph.id, alice.id) == {"User.Read"}


def test_admin_consent_needs_global_admin_and_grants_scopes_and_roles(d) -> None:
    app, sp, graph = _app_with_graph_permissions(d)
    alice = d.user("alice")
    with pytest.raises(DirectoryError) as exc, d.tx() as tx:
        grants.admin_consent(tx, d.tid, actor_id=alice.id, app_id=app.app_id, now=1, entropy=d.s.entropy)
    assert exc.value.code == errors.DENIED
    with d.tx() as tx:
        grants.admin_consent(tx, d.tid, actor_id=d.admin.id, app_id=app.app_id, now=1, entropy=d.s.entropy)
        grants.admin_consent(tx, d.tid, actor_id=d.admin.id, app_id=app.app_id, now=1, entropy=d.s.entropy)  # again
        assert grants.delegated_scopes(tx, d.tid, sp.id, graph.id, alice.id) == {"User.Read", "Directory.Read.All"}
        assert grants.app_role_values(tx, sp.id, graph.id) == ["Directory.Read.All"]
        assert len(grants.list_grants(tx, d.tid, client_id=sp.id)) == 1


def test_user_consent_follows_tenant_setting(d) -> None:
    _app, sp, graph = _app_with_graph_permissions(d)
    alice = d.user("alice")
    with d.tx() as tx:
        grants.record_user_consent(tx, d.tid, sp.id, graph.id, alice.id, ["User.Read"])
        assert grants.delegated_scopes(tx, d.tid, sp.id, graph.id, alice.id) == {"User.Read"}
        assert grants.delegated_scopes(tx, d.tid, sp.id, graph.id, d.admin.id) == set()
    with pytest.raises(DirectoryError) as exc, d.tx() as tx:
        grants.record_user_consent(tx, d.tid, sp.id, graph.id, alice.id, ["Directory.Read.All"])  # an Admin scope
    assert exc.value.code == grants.ADMIN_REQUIRED
    with d.tx() as tx:
        tenants.set_user_consent(tx, d.tid, False)
    with pytest.raises(DirectoryError), d.tx() as tx:
        grants.record_user_consent(tx, d.tid, sp.id, graph.id, alice.id, ["User.ReadWrite"])
    with d.tx() as tx:  # an administrator still may
        grants.record_user_consent(tx, d.tid, sp.id, graph.id, d.admin.id, ["Directory.Read.All"])


def test_azure_cli_is_preauthorized_for_first_party_resources(d) -> None:
    alice = d.user("alice")
    with d.tx(False) as tx:
        cli = service_principals.find_by_app_id(tx, d.tid, firstparty.AZURE_CLI)
        graph = service_principals.find_by_app_id(tx, d.tid, firstparty.GRAPH)
        assert "User.Read" in grants.delegated_scopes(tx, d.tid, cli.id, graph.id, alice.id)


def test_duplicate_grant_refused(d) -> None:
    _app, sp, graph = _app_with_graph_permissions(d)
    kw = dict(client_id=sp.id, consent_type="AllPrincipals", resource_id=graph.id, scope="User.Read")
    with d.tx() as tx:
        grants.create_grant(tx, d.tid, actor_id=d.admin.id, entropy=d.s.entropy, **kw)
    with pytest.raises(DirectoryError, match="already exists"), d.tx() as tx:
        grants.create_grant(tx, d.tid, actor_id=d.admin.id, entropy=d.s.entropy, **kw)


# --- users, guests, sign-in ------------------------------------------------------------------


def test_disabled_user_cannot_sign_in(d) -> None:
    bob = d.user("bob", password="Bob-Passw0rd")
    with d.tx() as tx:
        assert users.authenticate(tx, d.tid, "BOB@akslocal.onmicrosoft.com", "Bob-Passw0rd").id == bob.id
        users.update_user(tx, d.tid, bob.id, {"account_enabled": False})
    with pytest.raises(DirectoryError) as exc, d.tx(False) as tx:
        users.authenticate(tx, d.tid, bob.upn, "Bob-Passw0rd")
    assert exc.value.code == errors.USER_DISABLED


@pytest.mark.parametrize(
    "username, password, code",
    [
        ("bob@akslocal.onmicrosoft.com", "wrong-Passw0rd", errors.INVALID_CREDENTIALS),
        ("nobody@akslocal.onmicrosoft.com", "x", errors.USER_NOT_FOUND),
        ("' OR 1=1 --", "x", errors.USER_NOT_FOUND),
    ],
)
def test_sign_in_failures(d, username, password, code) -> None:
    d.user("bob", password="Bob-Passw0rd")
    with pytest.raises(DirectoryError) as exc, d.tx(False) as tx:
        users.authenticate(tx, d.tid, username, password)
    assert exc.value.code == code


def test_password_is_scrypt_hashed(d) -> None:
    bob = d.user("bob", password="Bob-Passw0rd")
    assert bob.password_hash.startswith("scrypt$") and "Bob-Passw0rd" not in bob.password_hash
    assert users.check_password(bob, "Bob-Passw0rd") and not users.check_password(bob, "bob-passw0rd")
    assert "password_hash" not in repr(bob)


@pytest.mark.parametrize(
    "upn, password",
    [
        ("x@unverified.example.com", "Passw0rd!x"),
        ("no-at-sign", "Passw0rd!x"),
        ("a b@akslocal.onmicrosoft.com", "Passw0rd!x"),
        ("weak@akslocal.onmicrosoft.com", "password"),
        ("admin@akslocal.onmicrosoft.com", "Passw0rd!x"),  # taken
    ],
)
def test_bad_users_refused_and_nothing_written(d, upn, password) -> None:
    before = snapshot(d.s)
    with pytest.raises(DirectoryError), d.tx() as tx:
        users.create_user(tx, d.tid, upn=upn, display_name="x", password=password, now=1, entropy=d.s.entropy)
    assert snapshot(d.s) == before


def _tenant_with_user(d, tx, domain: str, tenant_name: str, upn: str, user_name: str, password: str):
    """A second tenant and one member user in it."""
    tenant = tenants.create_tenant(tx, initial_domain=domain, display_name=tenant_name, now=1, entropy=d.s.entropy)
    user = users.create_user(
        tx, tenant.id, upn=upn, display_name=user_name, password=password, now=1, entropy=d.s.entropy
    )
    return tenant, user


def test_guest_from_another_tenant(d) -> None:
    with d.tx() as tx:
        home, carol = _tenant_with_user(
            d, tx, "fabrikam.onmicrosoft.com", "Fabrikam", "carol@fabrikam.onmicrosoft.com", "Carol", "Car0l-Passw0rd"
        )
        guest = users.invite_guest(tx, d.tid, email="carol@fabrikam.onmicrosoft.com", now=1, entropy=d.s.entropy)
        again = users.invite_guest(tx, d.tid, email="carol@fabrikam.onmicrosoft.com", now=1, entropy=d.s.entropy)
    assert again.id == guest.id
    assert guest.upn == "carol_fabrikam.onmicrosoft.com#EXT#@akslocal.onmicrosoft.com"
    assert guest.user_type == "Guest" and guest.home_tenant_id == home.id and guest.home_object_id == carol.id
    assert guest.password_hash is None
    with d.tx(False) as tx:
        # signs in to the resource tenant with the home tenant's credentials
        assert users.authenticate(tx, d.tid, "carol@fabrikam.onmicrosoft.com", "Car0l-Passw0rd").id == guest.id
        with pytest.raises(DirectoryError):
            users.authenticate(tx, d.tid, "carol@fabrikam.onmicrosoft.com", "wrong")


def test_other_tenant_ids_are_not_found(d) -> None:
    with d.tx() as tx:
        _other, outsider = _tenant_with_user(
            d, tx, "other.onmicrosoft.com", "o", "eve@other.onmicrosoft.com", "Eve", "Passw0rd!x"
        )
        assert users.get_user(tx, d.tid, outsider.id) is None
        group = groups.create_group(tx, d.tid, display_name="g", now=1, entropy=d.s.entropy)
        with pytest.raises(DirectoryError) as exc:
            groups.add_member(tx, d.tid, group.id, outsider.id)
        assert exc.value.code == errors.NOT_FOUND


def test_resolve_tenant_by_id_or_domain(d) -> None:
    with d.tx() as tx:
        tenants.add_domain(tx, d.tid, "contoso.com")
        assert tenants.resolve_tenant(tx, "AKSLOCAL.onmicrosoft.com").id == d.tid
        assert tenants.resolve_tenant(tx, "Contoso.COM").id == d.tid
        assert tenants.resolve_tenant(tx, d.tid.upper()).id == d.tid
        assert tenants.resolve_tenant(tx, "nope.example") is None
        assert tenants.resolve_tenant(tx, "x" * 5000) is None


# --- groups and roles ------------------------------------------------------------------------


def test_nested_groups_and_transitive_membership(d) -> None:
    alice = d.user("alice")
    with d.tx() as tx:
        mk = lambda n: groups.create_group(tx, d.tid, display_name=n, now=1, entropy=d.s.entropy)  # noqa: E731
        a, b, c = mk("a"), mk("b"), mk("c")
        groups.add_member(tx, d.tid, a.id, alice.id)
        groups.add_member(tx, d.tid, b.id, a.id)
        groups.add_member(tx, d.tid, c.id, b.id)
        assert groups.direct_group_ids(tx, d.tid, alice.id) == [a.id]
        assert set(groups.transitive_group_ids(tx, d.tid, alice.id)) == {a.id, b.id, c.id}
        assert {m.member_id for m in groups.transitive_members(tx, d.tid, c.id)} == {alice.id, a.id, b.id}
        with pytest.raises(DirectoryError, match="circular"):
            groups.add_member(tx, d.tid, a.id, c.id)
        with pytest.raises(DirectoryError, match="itself"):
            groups.add_member(tx, d.tid, a.id, a.id)
        with pytest.raises(DirectoryError, match="already exist"):
            groups.add_member(tx, d.tid, a.id, alice.id)


def test_user_in_1000_groups(d) -> None:
    alice = d.user("alice")
    with d.tx() as tx:
        ids = []
        for i in range(1000):
            g = groups.create_group(tx, d.tid, display_name=f"g{i}", now=1, entropy=d.s.entropy)
            groups.add_member(tx, d.tid, g.id, alice.id if i % 2 == 0 else ids[-1])
            ids.append(g.id)
    with d.tx(False) as tx:
        assert set(groups.transitive_group_ids(tx, d.tid, alice.id)) == set(ids)


def test_roles_directly_and_through_groups(d) -> None:
    alice = d.user("alice")
    with d.tx() as tx:
        assert not roles.is_global_admin(tx, d.tid, alice.id)
        admins = groups.create_group(tx, d.tid, display_name="admins", now=1, entropy=d.s.entropy)
        groups.add_member(tx, d.tid, admins.id, alice.id)
        roles.add_member(tx, d.tid, roles.GLOBAL_ADMINISTRATOR, admins.id)
        assert roles.is_global_admin(tx, d.tid, alice.id)
        roles.add_member(tx, d.tid, roles.USER_ADMINISTRATOR, alice.id)
        assert roles.role_template_ids_of(tx, d.tid, alice.id) == sorted(
            [roles.GLOBAL_ADMINISTRATOR, roles.USER_ADMINISTRATOR]
        )
        assert len(roles.list_roles(tx, d.tid)) == len(roles.TEMPLATES)


def test_deleting_a_user_removes_memberships_and_roles(d) -> None:
    alice = d.user("alice")
    with d.tx() as tx:
        g = groups.create_group(tx, d.tid, display_name="g", now=1, entropy=d.s.entropy)
        groups.add_member(tx, d.tid, g.id, alice.id)
        roles.add_member(tx, d.tid, roles.GLOBAL_ADMINISTRATOR, alice.id)
        users.delete_user(tx, d.tid, alice.id)
        assert groups.members(tx, d.tid, g.id) == []
        assert alice.id not in roles.member_ids(tx, d.tid, roles.GLOBAL_ADMINISTRATOR)


def test_applications_kind_is_prefixed() -> None:
    assert APPLICATIONS.name.startswith("directory.")
