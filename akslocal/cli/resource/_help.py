"""Help of ``azlocal group``."""

from knack.help_files import helps

helps["group"] = """
type: group
short-summary: Manage resource groups.
"""
helps["group create"] = """
type: command
short-summary: Create a new resource group.
examples:
  - name: The seed's resource group.
    text: azlocal group create --name myResourceGroup --location EastUS
"""
