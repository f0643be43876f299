"""The knack CLI behind ``azlocal``: command loading, argument errors and error rendering as az does them.

Command modules are packages beside this file (``account``, ``ad``, ``role``, ``resource``,
``aks``), each shaped like an azure-cli module: ``commands.py`` registers
``"akslocal.cli.<group>.custom#<func>"`` handler strings, ``_params.py`` describes the
arguments, ``_help.py`` holds YAML help, ``custom.py`` does the work. Only the module of
the command being run is imported, and its handler only when the command runs.
"""

from __future__ import annotations

import logging
import sys
from importlib import import_module

from knack import CLI, CLICommandsLoader
from knack.help import CLIHelp
from knack.log import get_logger
from knack.parser import CLICommandParser

from akslocal.cli.core import errors
from akslocal.cli.core.settings import config_dir

logger = get_logger(__name__)

# first word of a command -> module
COMMAND_MODULES = {
    "login": "account",
    "logout": "account",
    "account": "account",
    "ad": "ad",
    "role": "role",
    "group": "resource",
    "aks": "aks",
}
QUERY_REFERENCE = ("To learn more about --query, please visit: "
                   "'https://learn.microsoft.com/cli/azure/query-azure-cli'")
WELCOME = """
azlocal: an az-compatible command line for akslocal (Microsoft Entra ID and AKS, on one machine).

Use `azlocal -h` to see the available commands, `azlocal <group> -h` for a group's.
"""

_session: dict = {}


def session():
    """The Profile (accounts, token cache) of this invocation, created on first use."""
    if "profile" not in _session:
        from akslocal.cli.core import settings
        from akslocal.cli.core.profile import Profile

        _session["profile"] = Profile(settings.load())
    return _session["profile"]


def close_session() -> None:
    profile = _session.pop("profile", None)
    if profile is not None:
        profile.close()


def _wants_help(args: list[str]) -> bool:
    return any(a in ("-h", "--help") for a in args) or (args[:1] == ["help"])


class AzLocalCommandsLoader(CLICommandsLoader):
    def _modules(self, args: list[str]) -> list[str]:
        if args and args[0] in COMMAND_MODULES:
            return [COMMAND_MODULES[args[0]]]
        return sorted(set(COMMAND_MODULES.values()))

    def load_command_table(self, args):
        self._loaded = self._modules(list(args))
        with_help = _wants_help(list(args)) or not [a for a in args if not a.startswith("-")]
        for name in self._loaded:
            module = import_module(f"akslocal.cli.{name}")
            module.load_command_table(self)
            if with_help:
                import_module(f"akslocal.cli.{name}._help")
        return super().load_command_table(args)

    def load_arguments(self, command):
        if command in self.command_table:
            words = command.split()
            name = COMMAND_MODULES.get(words[0])
            if name:
                import_module(f"akslocal.cli.{name}").load_arguments(self, command)
        super().load_arguments(command)


class AzLocalParser(CLICommandParser):
    """argparse errors printed the way az prints them (``ERROR: ...``, exit 2)."""

    def error(self, message):
        if "_subcommand" in message or "_command" in message:  # a group without a command: az shows its help
            for name in set(COMMAND_MODULES.values()):
                import_module(f"akslocal.cli.{name}._help")
            self.print_help()
            self.exit(0)
        logger.error(message)
        if "--query" in message:
            print(QUERY_REFERENCE, file=sys.stderr)
        self.exit(2)

    def _check_value(self, action, value):
        import difflib

        if action.choices is not None and value not in action.choices:
            if action.dest in ("_command", "_subcommand"):
                logger.error("'%s' is misspelled or not recognized by the system.", value)
                candidates = difflib.get_close_matches(value, list(action.choices), cutoff=0.7)
                if candidates:
                    print(f"Did you mean '{candidates[0]}' ?", file=sys.stderr)
            else:
                parameter = action.option_strings[0] if action.option_strings else action.dest
                logger.error("%s: '%s' is not a valid value for '%s'. Allowed values: %s.", self.prog, value,
                             parameter, ", ".join(str(c) for c in action.choices))
            self.exit(2)


class AzLocalHelp(CLIHelp):
    def __init__(self, cli_ctx=None):
        super().__init__(cli_ctx=cli_ctx, welcome_message=WELCOME)


class AzLocalCLI(CLI):
    def get_cli_version(self):
        from akslocal.cli.main import version_text

        return version_text()

    def get_runtime_version(self):
        return ""

    def exception_handler(self, ex):
        if isinstance(ex, errors.AzLocalError):
            logger.error(ex.message)
            for line in ex.recommendations:
                print(line, file=sys.stderr)
            return ex.exit_code
        import jmespath.exceptions

        if isinstance(ex, jmespath.exceptions.JMESPathError):
            logger.error("Invalid jmespath query supplied for `--query`: %s", ex)
            print(QUERY_REFERENCE, file=sys.stderr)
            return 1
        from knack.util import CLIError

        if isinstance(ex, CLIError):
            logger.error(ex)
            return 1
        import traceback

        logger.error("The command failed with an unexpected error. Here is the traceback:")
        print("".join(traceback.format_exception(ex)), file=sys.stderr)
        return 1


SECRET_OPTIONS = {"-p", "--password", "--aad-server-app-secret", "--client-secret"}


def redact(args: list[str]) -> list[str]:
    """The command line with the values of secret options hidden (for --debug logs)."""
    shown, hide = [], False
    for arg in args:
        if hide:
            shown.append("***")
            hide = False
            continue
        option, sep, _ = arg.partition("=")
        if option in SECRET_OPTIONS:
            shown.append(f"{option}=***" if sep else arg)
            hide = not sep
        else:
            shown.append(arg)
    return shown


class _RedactArguments(logging.Filter):
    """knack logs the whole command line at debug level; passwords and secrets must not reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Command arguments: %s" and isinstance(record.args, tuple) and record.args:
            record.args = (redact(list(record.args[0])),)
        return True


def build_cli() -> AzLocalCLI:
    logging.getLogger("cli.knack.cli").addFilter(_RedactArguments())
    return AzLocalCLI(
        cli_name="azlocal",
        config_dir=str(config_dir()),
        config_env_var_prefix="AZLOCAL",
        commands_loader_cls=AzLocalCommandsLoader,
        parser_cls=AzLocalParser,
        help_cls=AzLocalHelp,
    )
