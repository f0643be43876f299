"""OAuth 2.0 grants of the token endpoint, one module each (dex's ``server/grants``).

A grant says which ``grant_type`` values it serves, whether it needs a confidential
client, and implements ``authorize(ctx) -> Issue``: who the token is for.  The shared
:mod:`endpoint` owns everything else: parsing the request once, tenant and client
authentication, resource and consent checks, minting and writing the response.
"""
