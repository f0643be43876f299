"""azlocal: an az-compatible command line for akslocal, built on knack like the real Azure CLI.

It accepts the seed document's Azure AD Graph era commands (``--native-app``,
``--reply-urls``, ``ad sp credential reset --name``, ``oauth2Permissions[0].id``) and
today's Microsoft Graph era syntax, and talks to akslocal over HTTP only: the token
service (through MSAL), Microsoft Graph ``/v1.0`` and Resource Manager. Importing this
package is cheap: knack, MSAL and httpx are imported only when a command runs.
"""
