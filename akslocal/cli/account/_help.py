"""Help of sign-in and accounts (loaded only for -h)."""

from knack.help_files import helps

helps["login"] = """
type: command
short-summary: Log in to akslocal.
long-summary: >
    By default this uses the device code flow: it prints Entra's message naming the verification page
    and the code. -u/-p signs in with a password; --service-principal with an application id and secret.
examples:
  - name: Log in as the tenant's Global Administrator.
    text: azlocal login -u admin@akslocal.onmicrosoft.com -p 'Adm1n-Passw0rd!'
  - name: Log in with the device code flow.
    text: azlocal login
  - name: Log in as a service principal.
    text: azlocal login --service-principal -u APP_ID -p SECRET --tenant TENANT_ID
"""
helps["logout"] = """
type: command
short-summary: Log out to remove access to akslocal.
"""
helps["account"] = """
type: group
short-summary: Manage the subscriptions of the logged-in accounts.
"""
helps["account show"] = """
type: command
short-summary: Get the details of a subscription.
examples:
  - name: The tenant id of the current account.
    text: azlocal account show --query tenantId -o tsv
"""
helps["account get-access-token"] = """
type: command
short-summary: Get a token for utilities to access akslocal.
"""
