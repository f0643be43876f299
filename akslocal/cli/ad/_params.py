"""Arguments of ``azlocal ad``: today's flags plus the AAD Graph era ones the seed uses."""

from knack.arguments import ArgumentsContext

from akslocal.cli.core.arguments import generic_update, three_state_flag

AUDIENCES = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"]


def _application_properties(c) -> None:
    c.argument("display_name", options_list=["--display-name"], help="The display name of the application.")
    c.argument("identifier_uris", options_list=["--identifier-uris"], nargs="+",
               help="Space-separated values, the application ID URIs.")
    c.argument("is_fallback_public_client", options_list=["--is-fallback-public-client"],
               **three_state_flag("Treat the application as a public client (no secret)."))
    c.argument("sign_in_audience", options_list=["--sign-in-audience"], choices=AUDIENCES,
               help="Which Microsoft accounts are supported.")
    c.argument("web_home_page_url", options_list=["--web-home-page-url"], help="Home page of the application.")
    c.argument("web_redirect_uris", options_list=["--web-redirect-uris"], nargs="+",
               help="Space-separated web redirect URIs.")
    c.argument("public_client_redirect_uris", options_list=["--public-client-redirect-uris"], nargs="+",
               help="Space-separated redirect URIs of a public client.")
    c.argument("enable_id_token_issuance", options_list=["--enable-id-token-issuance"],
               **three_state_flag("Issue ID tokens with the implicit flow."))
    c.argument("enable_access_token_issuance", options_list=["--enable-access-token-issuance"],
               **three_state_flag("Issue access tokens with the implicit flow."))
    c.argument("requested_access_token_version", options_list=["--requested-access-token-version"], type=int,
               choices=[1, 2], help="The access token version the API expects.")
    c.argument("app_roles", options_list=["--app-roles"], help="App roles, JSON or a JSON file.")
    c.argument("optional_claims", options_list=["--optional-claims"], help="Optional claims, JSON or a JSON file.")
    c.argument("required_resource_accesses", options_list=["--required-resource-accesses"],
               help="requiredResourceAccess, JSON or a JSON file.")
    # the AAD Graph era flags (az <= 2.36), still accepted
    c.argument("native_app", options_list=["--native-app"],
               **three_state_flag("(AAD Graph era) a native, public client application."))
    c.argument("reply_urls", options_list=["--reply-urls"], nargs="+",
               help="(AAD Graph era) space-separated reply URLs.")
    c.argument("homepage", options_list=["--homepage"], help="(AAD Graph era) the home page URL.")
    c.argument("available_to_other_tenants", options_list=["--available-to-other-tenants"],
               **three_state_flag("(AAD Graph era) a multi-tenant application."))
    c.argument("oauth2_allow_implicit_flow", options_list=["--oauth2-allow-implicit-flow"],
               **three_state_flag("(AAD Graph era) allow the implicit flow's access tokens."))


def load_arguments(loader, command) -> None:
    with ArgumentsContext(loader, "ad app create") as c:
        _application_properties(c)
        c.argument("password", options_list=["--password"], help="(AAD Graph era) not supported with Graph.")
        c.argument("credential_description", options_list=["--credential-description"],
                   help="(AAD Graph era) description of the password.")
    with ArgumentsContext(loader, "ad app update") as c:
        _application_properties(c)
        generic_update(c)
    with ArgumentsContext(loader, "ad app credential") as c:
        c.argument("display_name", options_list=["--display-name"], help="A friendly name for the credential.")
        c.argument("years", options_list=["--years"], type=int, help="Years the credential is valid (default 1).")
        c.argument("end_date", options_list=["--end-date"], help="ISO 8601 end of validity.")
        c.argument("append", options_list=["--append"], action="store_true", help="Keep the existing credentials.")
        c.argument("cert", options_list=["--cert"], help="Certificates are not supported.")
        c.argument("create_cert", options_list=["--create-cert"], action="store_true", help="Not supported.")
    with ArgumentsContext(loader, "ad app credential list") as c:
        c.argument("cert", options_list=["--cert"], action="store_true", help="List certificate credentials.")
    for name in ("ad app update", "ad app show", "ad app delete", "ad app permission", "ad app credential"):
        with ArgumentsContext(loader, name) as c:
            c.argument("identifier", options_list=["--id"], help="Identifier URI, application id, or object id.")
    with ArgumentsContext(loader, "ad app list") as c:
        c.argument("display_name", options_list=["--display-name"], help="The display name (prefix).")
        c.argument("app_id", options_list=["--app-id"], help="The application id.")
        c.argument("identifier_uri", options_list=["--identifier-uri"], help="An identifier URI.")
        c.argument("filter", options_list=["--filter"], help="OData filter.")
        c.argument("all", options_list=["--all"], action="store_true", help="List all.")
        c.argument("show_mine", options_list=["--show-mine"], action="store_true", help="Only those I own.")
    with ArgumentsContext(loader, "ad app permission") as c:
        c.argument("api", options_list=["--api"], help="The appId (or identifier URI) of the API.")
        c.argument("api_permissions", options_list=["--api-permissions"], nargs="+",
                   help="Space-separated {id}={type}: id of a scope or app role, type Scope or Role.")
        c.argument("scope", options_list=["--scope"], help="Space-separated scope values (default: those required).")
        c.argument("consent_type", options_list=["--consent-type"], choices=["AllPrincipals", "Principal"],
                   help="Consent for all users, or for one principal.")
        c.argument("principal_id", options_list=["--principal-id"], help="The user of a Principal grant.")
        c.argument("expires", options_list=["--expires"], help="(AAD Graph era) accepted and ignored.")
        c.argument("show_resource_name", options_list=["--show-resource-name", "-r"], action="store_true",
                   help="Show the resource's display name.")
        c.argument("filter", options_list=["--filter"], help="OData filter.")
    for name in ("ad sp create", "ad sp show", "ad sp delete", "ad sp credential list"):
        with ArgumentsContext(loader, name) as c:
            c.argument("identifier", options_list=["--id"], help="appId, servicePrincipalName or object id.")
    with ArgumentsContext(loader, "ad sp list") as c:
        c.argument("display_name", options_list=["--display-name"], help="The display name (prefix).")
        c.argument("spn", options_list=["--spn"], help="A servicePrincipalName.")
        c.argument("filter", options_list=["--filter"], help="OData filter.")
        c.argument("show_mine", options_list=["--show-mine"], action="store_true", help="Only those I own.")
        c.argument("all", options_list=["--all"], action="store_true", help="List all.")
    with ArgumentsContext(loader, "ad sp credential") as c:
        c.argument("cert", options_list=["--cert"], help="Certificates are not supported.")
    with ArgumentsContext(loader, "ad sp credential list") as c:
        c.argument("cert", options_list=["--cert"], action="store_true", help="List certificate credentials.")
    with ArgumentsContext(loader, "ad sp credential reset") as c:
        c.argument("identifier", options_list=["--id"], help="appId, servicePrincipalName or object id.")
        c.argument("name", options_list=["--name", "-n"], help="(AAD Graph era) the service principal's name.")
        c.argument("display_name", options_list=["--display-name"], help="A friendly name for the credential.")
        c.argument("credential_description", options_list=["--credential-description"],
                   help="(AAD Graph era) the credential's description.")
        c.argument("years", options_list=["--years"], type=int, help="Years the credential is valid (default 1).")
        c.argument("end_date", options_list=["--end-date"], help="ISO 8601 end of validity.")
        c.argument("append", options_list=["--append"], action="store_true", help="Keep the existing credentials.")
        c.argument("password", options_list=["--password", "-p"], help="(AAD Graph era) not supported with Graph.")
        c.argument("create_cert", options_list=["--create-cert"], action="store_true", help="Not supported.")
    with ArgumentsContext(loader, "ad user") as c:
        c.argument("identifier", options_list=["--id"], help="User principal name or object id.")
        c.argument("display_name", options_list=["--display-name"], help="The display name.")
        c.argument("user_principal_name", options_list=["--user-principal-name"], help="The UPN, user@domain.")
        c.argument("password", options_list=["--password"], help="The password.")
        c.argument("mail_nickname", options_list=["--mail-nickname"], help="Mail alias (default: the UPN's user).")
        c.argument("force_change_password_next_sign_in", options_list=["--force-change-password-next-sign-in"],
                   **three_state_flag("Require a password change at the next sign-in."))
        c.argument("immutable_id", options_list=["--immutable-id"], help="On-premises immutable id.")
        c.argument("upn", options_list=["--upn"], help="Filter by UPN.")
        c.argument("filter", options_list=["--filter"], help="OData filter.")
    with ArgumentsContext(loader, "ad group") as c:
        c.argument("group", options_list=["--group", "-g"], help="Group's display name or object id.")
        c.argument("display_name", options_list=["--display-name"], help="The display name.")
        c.argument("mail_nickname", options_list=["--mail-nickname"], help="Mail nickname.")
        c.argument("description", options_list=["--description"], help="Group description.")
        c.argument("force", options_list=["--force"], **three_state_flag("Always create a new group."))
        c.argument("filter", options_list=["--filter"], help="OData filter.")
        c.argument("member_id", options_list=["--member-id"], help="The object id of the member.")
