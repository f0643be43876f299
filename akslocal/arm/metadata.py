"""Cloud metadata (``/metadata/endpoints``), tenants, providers and locations as ARM lists them."""

from __future__ import annotations

from typing import Any

ARM_AUDIENCES = ("https://management.core.windows.net/", "https://management.azure.com/")
LOCATIONS = ("eastus", "eastus2", "westus2", "westus3", "centralus", "northeurope", "westeurope", "uksouth",
             "swedencentral", "southeastasia", "australiaeast", "japaneast")
PROVIDERS: dict[str, list[str]] = {
    "Microsoft.ContainerService": ["managedClusters", "locations", "locations/operations",
                                   "locations/operationresults", "locations/kubernetesVersions",
                                   "locations/orchestrators"],
    "Microsoft.Authorization": ["roleAssignments", "roleDefinitions"],
    "Microsoft.Resources": ["resourceGroups", "subscriptions", "tenants"],
    "Microsoft.Compute": ["virtualMachineScaleSets"], "Microsoft.Network": ["loadBalancers", "virtualNetworks"],
    "Microsoft.Storage": ["storageAccounts"], "Microsoft.OperationalInsights": ["workspaces"],
    "Microsoft.OperationsManagement": ["solutions"],
}


def endpoints(public_url: str) -> dict[str, Any]:
    """One cloud object, as ``GET https://management.azure.com/metadata/endpoints?api-version=2022-09-01``
    returns it, with akslocal's URLs where the cloud's services are emulated here."""
    base = public_url.rstrip("/") + "/"
    return {
        "name": "akslocal", "portal": base,
        "authentication": {"loginEndpoint": base, "audiences": list(ARM_AUDIENCES), "tenant": "common",
                           "identityProvider": "AAD"},
        "media": "https://rest.media.azure.net", "graphAudience": "https://graph.windows.net",
        "graph": "https://graph.windows.net/", "batch": "https://batch.core.windows.net/",
        "resourceManager": base, "microsoftGraphResourceId": base,
        "activeDirectoryDataLake": "https://datalake.azure.net/", "sqlManagement": "https://management.core.windows.net:8443/",
        "gallery": "https://gallery.azure.com/", "appInsightsResourceId": "https://api.applicationinsights.io",
        "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
        "attestationResourceId": "https://attest.azure.net", "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "logAnalyticsResourceId": "https://api.loganalytics.io", "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net",
        "suffixes": {"acrLoginServer": "azurecr.io", "keyVaultDns": "vault.azure.net", "storage": "core.windows.net",
                     "sqlServerHostname": "database.windows.net",
                     "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
                     "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
                     "mhsmDns": "managedhsm.azure.net",
                     "mysqlServerEndpoint": "mysql.database.azure.com",
                     "postgresqlServerEndpoint": "postgres.database.azure.com",
                     "mariadbServerEndpoint": "mariadb.database.azure.com", "synapseAnalytics": "dev.azuresynapse.net",
                     "attestationEndpoint": "attest.azure.net", "storageSyncEndpointSuffix": "afs.azure.net"},
    }


def render_tenant(tenant) -> dict[str, Any]:
    return {"id": f"/tenants/{tenant.id}", "tenantId": tenant.id, "countryCode": "US",
            "displayName": tenant.display_name, "domains": list(tenant.domains) or [tenant.initial_domain],
            "defaultDomain": tenant.initial_domain, "tenantCategory": "Home", "tenantType": "AAD"}


def render_provider(subscription_id: str, namespace: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{namespace}", "namespace": namespace,
        "registrationState": "Registered", "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [{"resourceType": t, "locations": [loc.title() for loc in LOCATIONS],
                           "apiVersions": ["2025-07-01", "2024-11-01", "2022-09-01"]} for t in PROVIDERS[namespace]],
    }


def find_provider(namespace: str) -> str | None:
    return next((ns for ns in PROVIDERS if ns.lower() == namespace.lower()), None)


def render_location(subscription_id: str, name: str) -> dict[str, Any]:
    return {"id": f"/subscriptions/{subscription_id}/locations/{name}", "name": name, "type": "Region",
            "displayName": name, "regionalDisplayName": name,
            "metadata": {"regionType": "Physical", "regionCategory": "Recommended"}}
