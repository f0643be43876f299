"""Arguments of ``azlocal group``."""

from knack.arguments import ArgumentsContext


def load_arguments(loader, command) -> None:
    with ArgumentsContext(loader, "group") as c:
        c.argument("name", options_list=["--name", "-n", "--resource-group", "-g"], help="Name of the resource group.")
        c.argument("location", options_list=["--location", "-l"], help="Location, e.g. eastus.")
        c.argument("tags", options_list=["--tags"], nargs="*", help="Space-separated tags: key[=value].")
        c.argument("managed_by", options_list=["--managed-by"], help="The id of the resource that manages the group.")
        c.argument("no_wait", options_list=["--no-wait"], action="store_true",
                   help="Do not wait for the long-running operation to finish.")
        c.argument("tag", options_list=["--tag"], help="A single tag in 'key[=value]' format to filter by.")
        c.argument("force_deletion_types", options_list=["--force-deletion-types", "-f"], help="Ignored.")
