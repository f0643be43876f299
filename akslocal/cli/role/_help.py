"""Help of ``azlocal role``."""

from knack.help_files import helps

helps["role"] = """
type: group
short-summary: Manage Azure role assignments (Resource Manager access of users and service principals).
"""
helps["role assignment"] = """
type: group
short-summary: Manage role assignments.
"""
