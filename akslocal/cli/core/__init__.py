"""Shared machinery of azlocal's commands: settings, accounts and tokens, REST clients, errors, progress."""
