"""Directory objects as Microsoft Graph JSON (and the Azure AD Graph era fields the seed reads)."""

from __future__ import annotations

import datetime as dt

from akslocal.directory.models import (
    Application,
    AppRole,
    AppRoleAssignment,
    DirectoryRole,
    Group,
    OAuth2PermissionGrant,
    PasswordCredential,
    PermissionScope,
    ServicePrincipal,
    Tenant,
    User,
)

ODATA_TYPE = "@odata.type"


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(u: User, tenant: Tenant | None = None) -> dict:
    return {
        ODATA_TYPE: "#microsoft.graph.user",
        "id": u.id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": u.given_name,
        "jobTitle": u.job_title,
        "mail": u.mail,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": None,
        "surname": u.surname,
        "userPrincipalName": u.upn,
        "accountEnabled": u.account_enabled,
        "userType": u.user_type,
        "createdDateTime": iso(u.created),
        "mailNickname": u.mail_nickname,
        "otherMails": list(u.other_mails),
        "externalUserState": u.external_user_state,
        "creationType": "Invitation" if u.user_type == "Guest" else None,
        "deletedDateTime": None,
        # Azure AD Graph era name: the legacy guide queries objectId for a user of another tenant.
        "objectId": u.id,
        "objectType": "User",
    }


# Graph returns only these for a user unless $select asks for more.
USER_DEFAULT = (
    ODATA_TYPE,
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "objectId",
)


def group(g: Group) -> dict:
    return {
        ODATA_TYPE: "#microsoft.graph.group",
        "id": g.id,
        "deletedDateTime": None,
        "createdDateTime": iso(g.created),
        "description": g.description,
        "displayName": g.display_name,
        "groupTypes": list(g.group_types),
        "mail": g.mail,
        "mailEnabled": g.mail_enabled,
        "mailNickname": g.mail_nickname,
        "securityEnabled": g.security_enabled,
        "membershipRule": None,
        "visibility": None,
    }


def directory_role(r: DirectoryRole) -> dict:
    return {
        ODATA_TYPE: "#microsoft.graph.directoryRole",
        "id": r.id,
        "deletedDateTime": None,
        "description": r.description,
        "displayName": r.display_name,
        "roleTemplateId": r.role_template_id,
    }


def scope(s: PermissionScope) -> dict:
    return {
        "adminConsentDescription": s.admin_consent_description,
        "adminConsentDisplayName": s.admin_consent_display_name,
        "id": s.id,
        "isEnabled": s.is_enabled,
        "type": s.type,
        "userConsentDescription": s.user_consent_description,
        "userConsentDisplayName": s.user_consent_display_name,
        "value": s.value,
    }


def app_role(r: AppRole) -> dict:
    return {
        "allowedMemberTypes": list(r.allowed_member_types),
        "description": r.description,
        "displayName": r.display_name,
        "id": r.id,
        "isEnabled": r.is_enabled,
        "origin": "Application",
        "value": r.value,
    }


def password_credential(c: PasswordCredential, secret_text: str | None = None) -> dict:
    return {
        "customKeyIdentifier": c.custom_key_identifier,
        "displayName": c.display_name,
        "endDateTime": iso(c.end),
        "hint": c.hint,
        "keyId": c.key_id,
        "secretText": secret_text,
        "startDateTime": iso(c.start),
    }


def application(a: Application, tenant: Tenant | None = None) -> dict:
    scopes = [scope(s) for s in a.oauth2_scopes]
    return {
        ODATA_TYPE: "#microsoft.graph.application",
        "id": a.id,
        "appId": a.app_id,
        "deletedDateTime": None,
        "createdDateTime": iso(a.created),
        "displayName": a.display_name,
        "description": None,
        "identifierUris": list(a.identifier_uris),
        "isFallbackPublicClient": a.public_client,
        "groupMembershipClaims": a.group_membership_claims,
        "signInAudience": a.sign_in_audience,
        "publisherDomain": tenant.initial_domain if tenant else None,
        "tags": [],
        "api": {
            "acceptMappedClaims": None,
            "knownClientApplications": list(a.known_client_applications),
            "requestedAccessTokenVersion": a.access_token_accepted_version,
            "oauth2PermissionScopes": scopes,
            "preAuthorizedApplications": [],
        },
        "appRoles": [app_role(r) for r in a.app_roles],
        "requiredResourceAccess": [
            {
                "resourceAppId": r.resource_app_id,
                "resourceAccess": [{"id": x.id, "type": x.type} for x in r.resource_access],
            }
            for r in a.required_resource_access
        ],
        "publicClient": {"redirectUris": list(a.public_client_redirect_uris)},
        "spa": {"redirectUris": list(a.spa_redirect_uris)},
        "web": {
            "homePageUrl": a.home_page_url,
            "logoutUrl": None,
            "redirectUris": list(a.web_redirect_uris),
            "implicitGrantSettings": {
                "enableAccessTokenIssuance": a.enable_access_token_issuance,
                "enableIdTokenIssuance": a.enable_id_token_issuance,
            },
        },
        "passwordCredentials": [password_credential(c) for c in a.password_credentials],
        "keyCredentials": [],
        "optionalClaims": None,
        # Azure AD Graph era names, which the legacy AKS guide's --query expressions read.
        "objectId": a.id,
        "objectType": "Application",
        "oauth2Permissions": scopes,
        "replyUrls": [*a.web_redirect_uris, *a.public_client_redirect_uris],
        "homepage": a.home_page_url,
        "availableToOtherTenants": a.sign_in_audience != "AzureADMyOrg",
        "oauth2AllowImplicitFlow": a.enable_access_token_issuance,
    }


def service_principal(sp: ServicePrincipal) -> dict:
    scopes = [scope(s) for s in sp.oauth2_scopes]
    return {
        ODATA_TYPE: "#microsoft.graph.servicePrincipal",
        "id": sp.id,
        "deletedDateTime": None,
        "createdDateTime": iso(sp.created),
        "accountEnabled": sp.account_enabled,
        "appDisplayName": sp.display_name,
        "appId": sp.app_id,
        "appOwnerOrganizationId": sp.app_owner_tenant_id,
        "appRoleAssignmentRequired": sp.app_role_assignment_required,
        "displayName": sp.display_name,
        "servicePrincipalNames": list(sp.service_principal_names),
        "servicePrincipalType": sp.service_principal_type,
        "signInAudience": "AzureADMultipleOrgs" if sp.first_party else "AzureADMyOrg",
        "replyUrls": list(sp.reply_urls),
        "tags": [],
        "appRoles": [app_role(r) for r in sp.app_roles],
        "oauth2PermissionScopes": scopes,
        "passwordCredentials": [password_credential(c) for c in sp.password_credentials],
        "keyCredentials": [],
        # Azure AD Graph era names.
        "objectId": sp.id,
        "objectType": "ServicePrincipal",
        "oauth2Permissions": scopes,
    }


def grant(g: OAuth2PermissionGrant) -> dict:
    return {
        "clientId": g.client_id,
        "consentType": g.consent_type,
        "id": g.id,
        "principalId": g.principal_id,
        "resourceId": g.resource_id,
        "scope": g.scope,
    }


def assignment(a: AppRoleAssignment) -> dict:
    return {
        "id": a.id,
        "deletedDateTime": None,
        "appRoleId": a.app_role_id,
        "createdDateTime": iso(a.created),
        "principalDisplayName": a.principal_display_name,
        "principalId": a.principal_id,
        "principalType": a.principal_type,
        "resourceDisplayName": a.resource_display_name,
        "resourceId": a.resource_id,
    }


def organization(t: Tenant) -> dict:
    return {
        "id": t.id,
        "displayName": t.display_name,
        "verifiedDomains": [
            {
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": d == t.initial_domain,
                "isInitial": d == t.initial_domain,
                "name": d,
                "type": "Managed",
            }
            for d in t.domains
        ],
        "tenantType": "AAD",
        "createdDateTime": iso(t.created),
    }


def properties(sample: dict) -> set[str]:
    return {k for k in sample if not k.startswith("@")}
