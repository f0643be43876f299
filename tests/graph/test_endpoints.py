"""Every Graph endpoint, its filters, paging and answers, over HTTP with tokens from our token service."""

from __future__ import annotations

import pytest

from tests.graph.conftest import error_of

PASSWORD = "Us3r-Passw0rd!"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"


def new_user(c, name: str, **extra) -> dict:
    body = {
        "accountEnabled": True,
        "displayName": name.title(),
        "mailNickname": name,
        "userPrincipalName": f"{name}@akslocal.onmicrosoft.com",
        "passwordProfile": {"forceChangePasswordNextSignIn": False, "password": PASSWORD},
        **extra,
    }
    r = c.post("/users", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def new_group(c, name: str) -> dict:
    r = c.post(
        "/groups", json={"displayName": name, "mailEnabled": False, "mailNickname": name, "securityEnabled": True}
    )
    assert r.status_code == 201, r.text
    return r.json()


def ref(graph, object_id: str) -> dict:
    return {"@odata.id": f"{graph.url}/v1.0/directoryObjects/{object_id}"}


def test_users_crud_and_lookup_by_upn(graph) -> None:
    with graph.admin() as c:
        u = new_user(c, "crud")
        assert c.get("/users/crud@akslocal.onmicrosoft.com").json()["id"] == u["id"]
        assert c.get(f"/users/{u['id']}", params={"$select": "accountEnabled,userType"}).json() == {
            "@odata.context": f"{graph.url}/v1.0/$metadata#users/$entity",
            "accountEnabled": True,
            "userType": "Member",
        }
        assert c.patch(f"/users/{u['id']}", json={"displayName": "Renamed", "jobTitle": "SRE"}).status_code == 204
        assert c.get(f"/users/{u['id']}").json()["displayName"] == "Renamed"
        dup = c.post(
            "/users",
            json={
                "accountEnabled": True,
                "displayName": "x",
                "mailNickname": "x",
                "userPrincipalName": "crud@akslocal.onmicrosoft.com",
                "passwordProfile": {"password": PASSWORD},
            },
        )
        assert error_of(dup)[2] == "Another object with the same value for property userPrincipalName already exists."
        assert c.delete(f"/users/{u['id']}").status_code == 204
        assert error_of(c.get(f"/users/{u['id']}"))[:2] == (404, "Request_ResourceNotFound")


def test_disabled_user_cannot_get_a_token(graph) -> None:
    import msal

    with graph.admin() as c:
        u = new_user(c, "switchedoff")
        assert c.patch(f"/users/{u['id']}", json={"accountEnabled": False}).status_code == 204
    msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")
    app = msal.PublicClientApplication(
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46", authority=f"{graph.url}/{graph.tenant_id}", instance_discovery=False
    )
    with pytest.warns(DeprecationWarning):
        result = app.acquire_token_by_username_password(
            u["userPrincipalName"], PASSWORD, ["https://graph.microsoft.com/.default"]
        )
    assert result.get("error") and "access_token" not in result


def test_users_filter_paging_count_search(graph) -> None:
    with graph.admin() as c:
        for i in range(5):
            new_user(c, f"pager{i}")
        page = c.get("/users", params={"$filter": "startswith(userPrincipalName,'pager')", "$top": "2"}).json()
        assert len(page["value"]) == 2 and "@odata.nextLink" in page
        seen = [u["userPrincipalName"] for u in page["value"]]
        link = page["@odata.nextLink"]
        while link:
            nxt = c.get(link).json()
            seen += [u["userPrincipalName"] for u in nxt["value"]]
            link = nxt.get("@odata.nextLink")
        assert sorted(seen) == [f"pager{i}@akslocal.onmicrosoft.com" for i in range(5)]
        counted = c.get(
            "/users",
            params={"$filter": "startswith(displayName,'Pager')", "$count": "true"},
            headers={"ConsistencyLevel": "eventual"},
        ).json()
        assert counted["@odata.count"] == 5
        assert error_of(c.get("/users", params={"$count": "true"}))[0] == 400
        found = c.get(
            "/users", params={"$search": '"displayName:pager3"'}, headers={"ConsistencyLevel": "eventual"}
        ).json()
        assert [u["displayName"] for u in found["value"]] == ["Pager3"]
        assert error_of(c.get("/users", params={"$search": '"displayName:x"'}))[1] == "Request_UnsupportedQuery"
        both = c.get(
            "/users",
            params={
                "$filter": "userPrincipalName eq 'pager1@akslocal.onmicrosoft.com' or "
                "userPrincipalName eq 'PAGER2@akslocal.onmicrosoft.com'"
            },
        ).json()
        assert sorted(u["displayName"] for u in both["value"]) == ["Pager1", "Pager2"]
        ordered = c.get("/users", params={"$filter": "startswith(displayName,'pager')", "$orderby": "displayName desc"})
        assert ordered.json()["value"][0]["displayName"] == "Pager4"


def test_groups_members_and_transitive_membership(graph) -> None:
    with graph.admin() as c:
        u = new_user(c, "member1")
        inner, outer = new_group(c, "inner"), new_group(c, "outer")
        assert c.post(f"/groups/{inner['id']}/members/$ref", json=ref(graph, u["id"])).status_code == 204
        assert c.post(f"/groups/{outer['id']}/members/$ref", json=ref(graph, inner["id"])).status_code == 204
        dup = c.post(f"/groups/{inner['id']}/members/$ref", json=ref(graph, u["id"]))
        assert error_of(dup)[0] == 400 and "already exist" in error_of(dup)[2]
        members = c.get(f"/groups/{outer['id']}/members").json()["value"]
        assert [(m["@odata.type"], m["id"]) for m in members] == [("#microsoft.graph.group", inner["id"])]
        transitive = {m["id"] for m in c.get(f"/groups/{outer['id']}/transitiveMembers").json()["value"]}
        assert transitive == {inner["id"], u["id"]}
        direct = [g["id"] for g in c.get(f"/users/{u['id']}/memberOf").json()["value"]]
        assert direct == [inner["id"]]
        trans = {g["id"] for g in c.get(f"/users/{u['id']}/transitiveMemberOf").json()["value"]}
        assert trans == {inner["id"], outer["id"]}
        groups = c.post(f"/users/{u['id']}/getMemberGroups", json={"securityEnabledOnly": True}).json()
        assert groups["@odata.context"].endswith("$metadata#Collection(Edm.String)")
        assert set(groups["value"]) == {inner["id"], outer["id"]}
        objects = c.post(f"/users/{u['id']}/getMemberObjects", json={"securityEnabledOnly": False}).json()["value"]
        assert set(objects) == {inner["id"], outer["id"]}
        check = c.post(
            f"/users/{u['id']}/checkMemberGroups",
            json={"groupIds": [outer["id"], "11111111-1111-1111-1111-111111111111"]},
        )
        assert check.json()["value"] == [outer["id"]]
        too_many = c.post(f"/users/{u['id']}/checkMemberGroups", json={"groupIds": [outer["id"]] * 21})
        assert error_of(too_many)[0] == 400
        assert c.delete(f"/groups/{inner['id']}/members/{u['id']}/$ref").status_code == 204
        assert c.get(f"/users/{u['id']}/memberOf").json()["value"] == []
        assert c.patch(f"/groups/{outer['id']}", json={"description": "d"}).status_code == 204
        assert c.get(f"/groups/{outer['id']}").json()["description"] == "d"
        assert c.delete(f"/groups/{outer['id']}").status_code == 204
        assert error_of(c.get(f"/groups/{outer['id']}"))[0] == 404


def test_me_memberships_for_a_plain_user(graph) -> None:
    with graph.admin() as c:
        u = new_user(c, "plainme")
        g = new_group(c, "plain-team")
        c.post(f"/groups/{g['id']}/members/$ref", json=ref(graph, u["id"]))
    with graph.client(graph.user_token(u["userPrincipalName"], PASSWORD)) as c:
        assert c.get("/me").json()["id"] == u["id"]
        assert c.post("/me/getMemberGroups", json={"securityEnabledOnly": False}).json()["value"] == [g["id"]]
        assert [x["id"] for x in c.get("/me/memberOf").json()["value"]] == [g["id"]]


def test_get_by_ids_and_directory_objects(graph) -> None:
    with graph.admin() as c:
        u = new_user(c, "byid")
        g = new_group(c, "byid-group")
        r = c.post(
            "/directoryObjects/getByIds", json={"ids": [u["id"], g["id"], "22222222-2222-2222-2222-222222222222"]}
        )
        assert sorted((o["@odata.type"], o["id"]) for o in r.json()["value"]) == sorted(
            [("#microsoft.graph.user", u["id"]), ("#microsoft.graph.group", g["id"])]
        )
        only_groups = c.post("/directoryObjects/getByIds", json={"ids": [u["id"], g["id"]], "types": ["group"]}).json()
        assert [o["id"] for o in only_groups["value"]] == [g["id"]]
        too_many = c.post("/directoryObjects/getByIds", json={"ids": [u["id"]] * 1001})
        assert error_of(too_many)[2] == "Number of included identifiers cannot exceed '1000'."
        assert c.get(f"/directoryObjects/{g['id']}").json()["displayName"] == "byid-group"


def test_directory_roles(graph) -> None:
    with graph.admin() as c:
        roles = c.get("/directoryRoles").json()["value"]
        ga = next(r for r in roles if r["roleTemplateId"] == GLOBAL_ADMIN)
        assert ga["displayName"] == "Global Administrator"
        members = c.get(f"/directoryRoles/{ga['id']}/members").json()["value"]
        assert [m["userPrincipalName"] for m in members] == ["admin@akslocal.onmicrosoft.com"]
        u = new_user(c, "promoted")
        assert c.post(f"/directoryRoles/{ga['id']}/members/$ref", json=ref(graph, u["id"])).status_code == 204
        assert c.get(f"/directoryRoles/roleTemplateId={GLOBAL_ADMIN}").json()["id"] == ga["id"]
        assert any(
            o["@odata.type"] == "#microsoft.graph.directoryRole"
            for o in c.get(f"/users/{u['id']}/memberOf").json()["value"]
        )
    # the promoted user may now grant for all principals
    with graph.client(graph.user_token(u["userPrincipalName"], PASSWORD)) as c:
        assert c.get("/directoryRoles").status_code == 200
    with graph.admin() as c:
        assert c.delete(f"/directoryRoles/{ga['id']}/members/{u['id']}/$ref").status_code == 204


def test_invite_a_guest_from_another_tenant(graph, tmp_path) -> None:
    fixture = tmp_path / "f.yaml"
    fixture.write_text(
        "tenants:\n  - domain: fabrikam.onmicrosoft.com\n    users:\n"
        "      - {upn: carol@fabrikam.onmicrosoft.com, displayName: Carol, password: Car0l-Passw0rd}\n"
    )
    graph.import_fixture(fixture)
    with graph.admin() as c:
        r = c.post(
            "/invitations",
            json={
                "invitedUserEmailAddress": "carol@fabrikam.onmicrosoft.com",
                "inviteRedirectUrl": "https://myapps.microsoft.com",
                "sendInvitationMessage": False,
            },
        )
        assert r.status_code == 201, r.text
        inv = r.json()
        assert inv["invitedUserType"] == "Guest" and inv["status"] == "Completed"
        guest = c.get(
            f"/users/{inv['invitedUser']['id']}", params={"$select": "userPrincipalName,userType,mail"}
        ).json()
        assert guest["userPrincipalName"] == "carol_fabrikam.onmicrosoft.com#EXT#@akslocal.onmicrosoft.com"
        assert guest["userType"] == "Guest" and guest["mail"] == "carol@fabrikam.onmicrosoft.com"
        by_upn = c.get("/users/carol_fabrikam.onmicrosoft.com%23EXT%23@akslocal.onmicrosoft.com")
        assert by_upn.json()["id"] == inv["invitedUser"]["id"]
    # the guest signs in to this tenant with the home tenant's password and sees itself
    with graph.client(graph.user_token("carol@fabrikam.onmicrosoft.com", "Car0l-Passw0rd")) as c:
        assert c.get("/me").json()["id"] == inv["invitedUser"]["id"]


def test_service_principal_app_role_assignments_and_grants(graph) -> None:
    with graph.admin() as c:
        graph_sp = c.get("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").json()
        role = next(r for r in graph_sp["appRoles"] if r["value"] == "Group.Read.All")
        app = c.post("/applications", json={"displayName": "roles-app"}).json()
        sp = c.post("/servicePrincipals", json={"appId": app["appId"]}).json()
        made = c.post(
            f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo",
            json={"principalId": sp["id"], "resourceId": graph_sp["id"], "appRoleId": role["id"]},
        )
        assert made.status_code == 201, made.text
        assignment = made.json()
        assert (
            assignment["principalType"] == "ServicePrincipal" and assignment["resourceDisplayName"] == "Microsoft Graph"
        )
        assert [a["id"] for a in c.get(f"/servicePrincipals/{sp['id']}/appRoleAssignments").json()["value"]] == [
            assignment["id"]
        ]
        assert assignment["id"] in [
            a["id"]
            for a in c.get(f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo", params={"$top": "999"}).json()[
                "value"
            ]
        ]
        assert c.delete(f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo/{assignment['id']}").status_code == 204
        grant = c.post(
            "/oauth2PermissionGrants",
            json={
                "clientId": sp["id"],
                "consentType": "AllPrincipals",
                "resourceId": graph_sp["id"],
                "scope": "User.Read",
            },
        ).json()
        assert c.get(f"/oauth2PermissionGrants/{grant['id']}").json()["scope"] == "User.Read"
        assert (
            c.patch(f"/oauth2PermissionGrants/{grant['id']}", json={"scope": "User.Read Group.Read.All"}).status_code
            == 204
        )
        assert (
            c.get(f"/servicePrincipals/{sp['id']}/oauth2PermissionGrants").json()["value"][0]["scope"]
            == "User.Read Group.Read.All"
        )
        # deleting the app deletes its service principal, and with it the grant
        assert c.delete(f"/applications/{app['id']}").status_code == 204
        assert error_of(c.get(f"/servicePrincipals/{sp['id']}"))[0] == 404
        assert error_of(c.get(f"/oauth2PermissionGrants/{grant['id']}"))[0] == 404


def test_service_principal_filters(graph) -> None:
    with graph.admin() as c:
        by_name = c.get(
            "/servicePrincipals", params={"$filter": "servicePrincipalNames/any(c:c eq 'https://graph.microsoft.com')"}
        )
        assert [s["appId"] for s in by_name.json()["value"]] == ["00000003-0000-0000-c000-000000000000"]
        starts = c.get(
            "/servicePrincipals", params={"$filter": "startswith(displayName,'Azure Kubernetes')", "$select": "appId"}
        )
        assert sorted(s["appId"] for s in starts.json()["value"]) == [
            "6dae42f8-4368-4678-94ff-3960e28e3630",
            "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        ]
        assert set(starts.json()["value"][0]) == {"appId"}
        combined = c.get(
            "/servicePrincipals",
            params={"$filter": "appId eq '04b07795-8ddb-461a-bbee-02f9e1bf7b46' and accountEnabled eq true"},
        ).json()["value"]
        assert [s["displayName"] for s in combined] == ["Microsoft Azure CLI"]


def test_organization(graph) -> None:
    with graph.admin() as c:
        [org] = c.get("/organization").json()["value"]
    assert org["id"] == graph.tenant_id
    assert org["verifiedDomains"][0]["name"] == "akslocal.onmicrosoft.com"


def test_user_consent_setting_through_authorization_policy(graph) -> None:
    with graph.admin() as c:
        policy = c.get("/policies/authorizationPolicy").json()
        assert policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"] == [
            "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
        ]
        off = {"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}}
        assert c.patch("/policies/authorizationPolicy", json=off).status_code == 204
        assert (
            c.get("/policies/authorizationPolicy").json()["defaultUserRolePermissions"][
                "permissionGrantPoliciesAssigned"
            ]
            == []
        )
        on = {
            "defaultUserRolePermissions": {
                "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]
            }
        }
        assert c.patch("/policies/authorizationPolicy", json=on).status_code == 204
    with graph.admin() as c:
        u = new_user(c, "noconsent")
    with graph.client(graph.user_token(u["userPrincipalName"], PASSWORD)) as c:
        assert error_of(c.patch("/policies/authorizationPolicy", json=off))[:2] == (403, "Authorization_RequestDenied")
