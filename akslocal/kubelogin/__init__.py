"""``akslocal-kubelogin``: a kubectl exec credential plugin with the command line of Azure's kubelogin.

It is a plain OAuth client of whatever authority it is given (akslocal or real Entra ID):

- :mod:`options` get-token's flags and kubelogin's ``AAD_*``/``AZURE_*`` environment overrides.
- :mod:`cache` one token file per (environment, server id, client id, tenant, legacy), 0600,
  written atomically under a file lock so parallel kubectl processes sign in once.
- :mod:`legacy` the v1 (ADAL) protocol, ``api-version=1.0`` and ``resource`` (``aud`` ``spn:<id>``).
- :mod:`modern` the v2 protocol through MSAL (``<server id>/.default``).
- :mod:`gettoken` cache → refresh token → sign-in, and the ExecCredential on stdout.
- :mod:`convert` ``convert-kubeconfig`` (``auth-provider: azure`` and kubelogin exec users).

It must start fast and stay a client: it imports no server piece (a test checks ``sys.modules``),
and httpx/MSAL are imported only when a request is really sent.
"""
