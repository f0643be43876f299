"""Help of ``azlocal ad`` (loaded only for -h)."""
# ruff: noqa: E501 - help examples are whole command lines

from knack.help_files import helps

helps["ad"] = """
type: group
short-summary: Manage Microsoft Entra ID (akslocal's directory) through Microsoft Graph.
"""
helps["ad app"] = """
type: group
short-summary: Manage applications.
"""
helps["ad app create"] = """
type: command
short-summary: Create an application (AAD Graph era flags --native-app, --reply-urls are accepted too).
examples:
  - name: The seed's server application.
    text: azlocal ad app create --display-name myaksclusterServer --identifier-uris https://myaksclusterServer --query appId -o tsv
  - name: The seed's client application, AAD Graph era syntax.
    text: azlocal ad app create --display-name myaksclusterClient --native-app --reply-urls https://myaksclusterClient
  - name: The same client application, today's syntax.
    text: azlocal ad app create --display-name myaksclusterClient --is-fallback-public-client --public-client-redirect-uris https://myaksclusterClient
"""
helps["ad app update"] = """
type: command
short-summary: Update an application.
examples:
  - name: Emit group membership claims.
    text: azlocal ad app update --id APP_ID --set groupMembershipClaims=All
"""
helps["ad app permission"] = """
type: group
short-summary: Manage an application's API permissions and their consent.
"""
helps["ad app permission grant"] = """
type: command
short-summary: Grant the app a delegated permission on an API (needs a Global Administrator).
"""
helps["ad app permission admin-consent"] = """
type: command
short-summary: Grant admin consent for every permission the app requires (needs a Global Administrator).
"""
helps["ad sp"] = """
type: group
short-summary: Manage service principals.
"""
helps["ad sp credential reset"] = """
type: command
short-summary: Reset a service principal's password; the secret is shown once.
examples:
  - name: AAD Graph era syntax (the seed).
    text: azlocal ad sp credential reset --name APP_ID --credential-description AKSPassword --query password -o tsv
  - name: Today's syntax.
    text: azlocal ad sp credential reset --id APP_ID --display-name AKSPassword --query password -o tsv
"""
helps["ad user"] = """
type: group
short-summary: Manage users.
"""
helps["ad group"] = """
type: group
short-summary: Manage groups.
"""
helps["ad group member"] = """
type: group
short-summary: Manage group members.
"""
helps["ad signed-in-user"] = """
type: group
short-summary: The signed-in user.
"""
