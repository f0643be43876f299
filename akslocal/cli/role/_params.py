"""Arguments of ``azlocal role assignment``."""

from knack.arguments import ArgumentsContext


def load_arguments(loader, command) -> None:
    with ArgumentsContext(loader, "role assignment") as c:
        c.argument("assignee", options_list=["--assignee"],
                   help="A user's UPN or object id, or a service principal's appId or name.")
        c.argument("assignee_object_id", options_list=["--assignee-object-id"], help="The assignee's object id.")
        c.argument("assignee_principal_type", options_list=["--assignee-principal-type"],
                   choices=["User", "Group", "ServicePrincipal", "ForeignGroup"], help="The assignee's type.")
        c.argument("role", options_list=["--role"], help="Role name (e.g. Contributor) or id.")
        c.argument("scope", options_list=["--scope"], help="Scope (default: the subscription).")
        c.argument("resource_group", options_list=["--resource-group", "-g"], help="Scope: a resource group.")
        c.argument("ids", options_list=["--ids"], nargs="+", help="Space-separated role assignment ids.")
        c.argument("all", options_list=["--all"], action="store_true", help="All assignments in the subscription.")
        c.argument("description", options_list=["--description"], help="Description of the assignment.")
