"""Output shapes: the SDK names az prints for a managed cluster, the AAD Graph era fields beside Graph's."""

from __future__ import annotations

import pytest

from akslocal.cli.ad import _format as ad_format
from akslocal.cli.aks._format import AAD_FIELDS, cluster, sdk_name


@pytest.mark.parametrize(("wire", "sdk"), [
    ("clientAppID", "clientAppId"), ("serverAppID", "serverAppId"), ("tenantID", "tenantId"),
    ("enableRBAC", "enableRbac"), ("enableAzureRBAC", "enableAzureRbac"), ("azurePortalFQDN", "azurePortalFqdn"),
    ("adminGroupObjectIDs", "adminGroupObjectIDs"), ("provisioningState", "provisioningState"), ("fqdn", "fqdn"),
])
def test_sdk_names(wire: str, sdk: str) -> None:
    assert sdk_name(wire) == sdk


def managed_cluster(aad: dict | None) -> dict:
    props = {"provisioningState": "Succeeded", "kubernetesVersion": "1.32.0", "enableRBAC": True,
             "azurePortalFQDN": "x.portal", "agentPoolProfiles": [{"name": "nodepool1", "count": 1}]}
    if aad is not None:
        props["aadProfile"] = aad
    return {"id": "/subscriptions/s/resourcegroups/myResourceGroup/providers/Microsoft.ContainerService/"
                  "managedClusters/myakscluster", "name": "myakscluster", "location": "eastus",
            "tags": {"Team_ID": "x"}, "properties": props}


def test_legacy_cluster_as_az_shows_it() -> None:
    shown = cluster(managed_cluster({"clientAppID": "c", "serverAppID": "s", "tenantID": "t"}))
    assert shown["aadProfile"] == {"adminGroupObjectIDs": None, "adminUsers": None, "clientAppId": "c",
                                   "enableAzureRbac": None, "managed": None, "serverAppId": "s",
                                   "serverAppSecret": None, "tenantId": "t"}
    assert shown["enableRbac"] is True and shown["azurePortalFqdn"] == "x.portal"
    assert shown["resourceGroup"] == "myResourceGroup"
    assert shown["tags"] == {"Team_ID": "x"}  # map keys are the user's, never renamed
    assert "properties" not in shown


def test_managed_cluster_profile_has_the_faq_keys() -> None:
    shown = cluster(managed_cluster({"managed": True, "adminGroupObjectIDs": ["g"], "tenantID": "t"}))
    assert list(shown["aadProfile"])[: len(AAD_FIELDS)] == list(AAD_FIELDS)
    assert shown["aadProfile"]["managed"] is True
    assert shown["aadProfile"]["adminGroupObjectIDs"] == ["g"]


def test_cluster_without_entra_has_null_aad_profile() -> None:
    assert cluster(managed_cluster(None))["aadProfile"] is None


def test_application_gets_aad_graph_fields_beside_graph_ones() -> None:
    app = ad_format.application({
        "id": "o1", "appId": "a1", "signInAudience": "AzureADMyOrg",
        "api": {"oauth2PermissionScopes": [{"id": "s1", "value": "user_impersonation"}]},
        "web": {"redirectUris": ["https://w"], "homePageUrl": None}, "publicClient": {"redirectUris": ["https://p"]},
    })
    assert app["objectId"] == "o1"
    assert app["oauth2Permissions"][0]["id"] == "s1"
    assert app["replyUrls"] == ["https://w", "https://p"]
    assert app["publicClient"] == {"redirectUris": ["https://p"]}  # Graph's field is never replaced
    assert app["availableToOtherTenants"] is False
