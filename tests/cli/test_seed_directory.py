"""The seed's Entra steps (two app registrations, a service principal secret, permissions and consent),
verbatim with az → azlocal, then the same steps in today's az syntax, against a live akslocal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import ADMIN
from tests.cli.seedrun import GUID, az_commands, run_steps
from tests.cli.support import AzLocal

GRAPH = "00000003-0000-0000-c000-000000000000"
USER_READ, DIRECTORY_READ_ALL, DIRECTORY_READ_ALL_ROLE = (
    "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "06da0dbc-49e2-44d2-8312-53f166ab848a",
    "7ab1d382-f21e-4acd-a863-ba3e13f7da61")
CREDENTIAL_WARNING = "WARNING: The output includes credentials that you must protect."


def directory_steps() -> list[str]:
    """The seed's commands before `az group create` (the Entra part), plus `signed-in-user show`."""
    commands = az_commands()
    end = next(i for i, c in enumerate(commands) if c.startswith("az group create"))
    return [*commands[:end], next(c for c in commands if "signed-in-user" in c)]


@pytest.fixture(scope="module")
def seed_run(admin_cli: AzLocal, tmp_path_factory: pytest.TempPathFactory):
    return run_steps(admin_cli, directory_steps(), tmp_path_factory.mktemp("seed-steps"))


def test_the_seed_steps_are_the_documents_own(seed_run) -> None:
    steps, _ = seed_run
    assert steps[0].command == 'aksname="myakscluster"'
    assert any("--native-app" in s.command and "--reply-urls" in s.command for s in steps)
    assert any("--credential-description" in s.command for s in steps)


def test_app_ids_and_secret_are_printed_bare(seed_run) -> None:
    _, values = seed_run
    assert GUID.match(values["serverApplicationId"]), values
    assert GUID.match(values["clientApplicationId"]), values
    assert len(values["serverApplicationSecret"]) >= 32
    assert "\n" not in values["serverApplicationSecret"]


def test_credential_reset_warns_as_az_does(seed_run) -> None:
    steps, _ = seed_run
    step = next(s for s in steps if "credential reset" in s.command)
    assert step.stderr.startswith(CREDENTIAL_WARNING)
    assert step.stdout == ""  # captured by the variable


def test_permission_add_says_grant_is_needed(seed_run) -> None:
    steps, values = seed_run
    step = next(s for s in steps if "permission add" in s.command and GRAPH in s.command)
    assert step.stderr.strip() == (f"WARNING: Invoking `azlocal ad app permission grant --id "
                                   f"{values['serverApplicationId']} --api {GRAPH}` is needed to make the change "
                                   "effective")


def test_oauth2_permissions_query_prints_the_servers_scope_id(seed_run, admin_cli: AzLocal) -> None:
    _, values = seed_run
    server = admin_cli.json("ad", "app", "show", "--id", values["serverApplicationId"])
    scope = server["api"]["oauth2PermissionScopes"][0]
    assert values["oAuthPermissionId"] == scope["id"]
    assert scope["value"] == "user_impersonation"
    assert server["groupMembershipClaims"] == "All"
    assert server["requiredResourceAccess"] == [{"resourceAppId": GRAPH, "resourceAccess": [
        {"id": USER_READ, "type": "Scope"}, {"id": DIRECTORY_READ_ALL, "type": "Scope"},
        {"id": DIRECTORY_READ_ALL_ROLE, "type": "Role"}]}]


def test_native_client_app_is_a_public_client_with_its_reply_url(seed_run, admin_cli: AzLocal) -> None:
    _, values = seed_run
    client = admin_cli.json("ad", "app", "show", "--id", values["clientApplicationId"])
    assert client["isFallbackPublicClient"] is True
    assert client["publicClient"]["redirectUris"] == ["https://myaksclusterClient"]
    assert client["replyUrls"] == ["https://myaksclusterClient"]
    assert client["objectId"] == client["id"]
    assert client["requiredResourceAccess"] == [{"resourceAppId": values["serverApplicationId"], "resourceAccess": [
        {"id": values["oAuthPermissionId"], "type": "Scope"}]}]


def test_grants_and_admin_consent_took_effect(seed_run, admin_cli: AzLocal) -> None:
    _, values = seed_run
    server_grants = admin_cli.json("ad", "app", "permission", "list-grants", "--id", values["serverApplicationId"])
    assert [set(g["scope"].split()) for g in server_grants] == [{"User.Read", "Directory.Read.All"}]
    assert server_grants[0]["consentType"] == "AllPrincipals"
    client_grants = admin_cli.json("ad", "app", "permission", "list-grants", "--id", values["clientApplicationId"])
    assert [g["scope"] for g in client_grants] == ["user_impersonation"]
    server_sp = admin_cli.json("ad", "sp", "show", "--id", values["serverApplicationId"])
    graph_sp = admin_cli.json("ad", "sp", "show", "--id", GRAPH)
    assert server_sp["appId"] == values["serverApplicationId"]
    assert graph_sp["appId"] == GRAPH


def test_signed_in_user_upn(seed_run) -> None:
    steps, _ = seed_run
    assert steps[-1].stdout == ADMIN + "\n"


def test_the_same_steps_in_todays_syntax(admin_cli: AzLocal, tmp_path: Path) -> None:
    script = f"""
aksname="todaycluster"
serverApplicationId=$(azlocal ad app create --display-name "${{aksname}}Server" \\
  --identifier-uris "api://${{aksname}}Server" --query appId -o tsv)
azlocal ad app update --id $serverApplicationId --set groupMembershipClaims=All
azlocal ad sp create --id $serverApplicationId --query appId -o tsv
serverApplicationSecret=$(azlocal ad sp credential reset --id $serverApplicationId --display-name AKSPassword \\
  --query password -o tsv)
azlocal ad app permission add --id $serverApplicationId --api {GRAPH} \\
  --api-permissions {USER_READ}=Scope {DIRECTORY_READ_ALL}=Scope {DIRECTORY_READ_ALL_ROLE}=Role
azlocal ad app permission grant --id $serverApplicationId --api {GRAPH} --scope "User.Read Directory.Read.All" -o none
azlocal ad app permission admin-consent --id $serverApplicationId
clientApplicationId=$(azlocal ad app create --display-name "${{aksname}}Client" --is-fallback-public-client \\
  --public-client-redirect-uris "https://${{aksname}}Client" --query appId -o tsv)
azlocal ad sp create --id $clientApplicationId -o none
oAuthPermissionId=$(azlocal ad app show --id $serverApplicationId --query "api.oauth2PermissionScopes[0].id" -o tsv)
azlocal ad app permission add --id $clientApplicationId --api $serverApplicationId \\
  --api-permissions ${{oAuthPermissionId}}=Scope
azlocal ad app permission grant --id $clientApplicationId --api $serverApplicationId --scope user_impersonation \\
  --query scope -o tsv
echo "secret=${{serverApplicationSecret}}"
echo "scope=${{oAuthPermissionId}}"
"""
    result = admin_cli.shell(script)
    lines = result.stdout.splitlines()
    assert GUID.match(lines[0])
    assert lines[1] == "user_impersonation"
    assert lines[2].startswith("secret=") and len(lines[2]) > 30
    assert GUID.match(lines[3].removeprefix("scope="))
    assert "Found an existing application instance" not in result.stderr
    # `ad sp credential reset --id` prints no `name` (today's az); `--name` adds it (AAD Graph era)
    app_id = lines[0]
    today = admin_cli.json("ad", "sp", "credential", "reset", "--id", app_id)
    legacy = admin_cli.json("ad", "sp", "credential", "reset", "--name", app_id, "--credential-description", "x")
    assert sorted(today) == ["appId", "password", "tenant"]
    assert sorted(legacy) == ["appId", "name", "password", "tenant"]
    assert legacy["name"] == app_id


def test_creating_an_app_again_patches_it(admin_cli: AzLocal) -> None:
    first = admin_cli.json("ad", "app", "create", "--display-name", "twice", "--identifier-uris", "api://twice")
    again = admin_cli("ad", "app", "create", "--display-name", "twice", "--identifier-uris", "api://twice",
                      "-o", "json")
    assert f"Found an existing application instance: (id) {first['id']}. We will patch it." in again.stderr
    assert __import__("json").loads(again.stdout)["appId"] == first["appId"]
