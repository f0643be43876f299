"""Command table of ``azlocal group``."""

from knack.commands import CommandGroup


def _table(result):
    rows = result if isinstance(result, list) else [result]
    return [{"Name": r.get("name"), "Location": r.get("location"),
             "Status": (r.get("properties") or {}).get("provisioningState")} for r in rows]


def load_command_table(loader) -> None:
    with CommandGroup(loader, "group", "akslocal.cli.resource.custom#{}") as g:
        g.command("create", "create_group", table_transformer=_table)
        g.command("show", "show_group", table_transformer=_table)
        g.command("list", "list_groups", table_transformer=_table)
        g.command("delete", "delete_group", confirmation=True)
        g.command("exists", "group_exists")
