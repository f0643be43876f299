"""``ad user ...``, ``ad group ...``, ``ad group member ...`` and ``ad signed-in-user show``."""

from __future__ import annotations

from akslocal.cli.ad import _format
from akslocal.cli.ad._resolve import and_filter, graph, group_id, quote, segment, user_id
from akslocal.cli.core.errors import ResourceNotFoundError


def signed_in_user_show():
    """Get the details of the signed-in user (Graph /me)."""
    return _format.user(graph().get("/me"))


def create_user(display_name, user_principal_name, password, mail_nickname=None,
                force_change_password_next_sign_in=None, immutable_id=None):
    """Create a user."""
    body = {
        "accountEnabled": True,
        "displayName": display_name,
        "userPrincipalName": user_principal_name,
        "mailNickname": mail_nickname or user_principal_name.split("@", 1)[0],
        "passwordProfile": {"password": password,
                            "forceChangePasswordNextSignIn": bool(force_change_password_next_sign_in)},
    }
    if immutable_id:
        body["onPremisesImmutableId"] = immutable_id
    return _format.user(graph().post("/users", body))


def show_user(identifier):
    """Get the details of a user (by UPN or object id)."""
    return _format.user(graph().get(f"/users/{segment(identifier)}"))


def list_users(upn=None, display_name=None, filter=None):
    """List users."""
    filters = and_filter(
        upn and f"userPrincipalName eq {quote(upn)}",
        display_name and f"startswith(displayName,{quote(display_name)})",
        filter,
    )
    return [_format.user(u) for u in graph().list("/users", filter=filters)]


def delete_user(identifier):
    """Delete a user."""
    client = graph()
    client.delete(f"/users/{user_id(client, identifier)}")


def create_group(display_name, mail_nickname, description=None, force=None):
    """Create a security group."""
    client = graph()
    if not force:
        existing = client.list("/groups", filter=f"displayName eq {quote(display_name)}")
        if existing and force is None:
            return _format.group(existing[0])
    body = {"displayName": display_name, "mailNickname": mail_nickname, "mailEnabled": False,
            "securityEnabled": True}
    if description:
        body["description"] = description
    return _format.group(client.post("/groups", body))


def show_group(group):
    """Get the details of a group (by display name or object id)."""
    client = graph()
    return _format.group(client.get(f"/groups/{group_id(client, group)}"))


def list_groups(display_name=None, filter=None):
    """List groups."""
    filters = and_filter(display_name and f"startswith(displayName,{quote(display_name)})", filter)
    return [_format.group(g) for g in graph().list("/groups", filter=filters)]


def delete_group(group):
    """Delete a group."""
    client = graph()
    client.delete(f"/groups/{group_id(client, group)}")


def add_member(group, member_id):
    """Add a member (user, group or service principal object id) to a group."""
    client = graph()
    client.post(f"/groups/{group_id(client, group)}/members/$ref",
                {"@odata.id": f"{client.settings.graph_url}/directoryObjects/{segment(member_id)}"})


def remove_member(group, member_id):
    """Remove a member from a group."""
    client = graph()
    client.delete(f"/groups/{group_id(client, group)}/members/{segment(member_id)}/$ref")


def list_members(group):
    """List a group's direct members."""
    client = graph()
    return [_format.directory_object(m) for m in client.list(f"/groups/{group_id(client, group)}/members")]


def check_member(group, member_id):
    """Check whether an object is a member of a group (transitively), as {"value": bool}."""
    client = graph()
    gid = group_id(client, group)
    try:
        result = client.post(f"/directoryObjects/{segment(member_id)}/checkMemberGroups", {"groupIds": [gid]})
    except ResourceNotFoundError:
        raise
    return {"value": gid in (result or {}).get("value", [])}
