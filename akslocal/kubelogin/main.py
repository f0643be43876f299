"""``akslocal-kubelogin``: get-token, convert-kubeconfig, remove-cache-dir (kubelogin's command line)."""

from __future__ import annotations

import argparse
import os
import sys

from akslocal.kubelogin.errors import KubeloginError

VERSION = "akslocal-kubelogin 0.1.0 (kubelogin-compatible)"


def _global_flags(parser: argparse.ArgumentParser, default) -> None:
    # kubelogin's global klog flags, accepted before or after the command (they only change logging there).
    parser.add_argument("-v", "--v", dest="verbosity", default=default, help="log level (accepted, ignored)")
    parser.add_argument("--logtostderr", action="store_true", default=default, help="(accepted, ignored)")


def _parser() -> argparse.ArgumentParser:
    from akslocal.kubelogin.options import add_token_flags, default_cache_dir

    parser = argparse.ArgumentParser(prog="akslocal-kubelogin", description="kubectl exec credential plugin for "
                                     "Entra ID (akslocal or Azure), with kubelogin's command line")
    parser.add_argument("--version", action="version", version=VERSION)
    _global_flags(parser, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    get = sub.add_parser("get-token", help="print an ExecCredential with an Entra access token")
    _global_flags(get, argparse.SUPPRESS)
    add_token_flags(get)
    convert = sub.add_parser("convert-kubeconfig", help="turn azure auth-provider and kubelogin users into "
                             "akslocal-kubelogin exec users")
    add_token_flags(convert, for_convert=True)
    _global_flags(convert, argparse.SUPPRESS)
    convert.add_argument("--kubeconfig", help="kubeconfig to convert (default: first of $KUBECONFIG, "
                         "else ~/.kube/config)")
    convert.add_argument("--context", help="convert only the user of this context")
    remove = sub.add_parser("remove-cache-dir", aliases=["remove-tokens"], help="delete the token cache directory")
    remove.add_argument("--cache-dir", "--token-cache-dir", dest="cache_dir", default=default_cache_dir())
    return parser


def _get_token(ns: argparse.Namespace) -> int:
    from akslocal.kubelogin import execcredential, options
    from akslocal.kubelogin.gettoken import get_token

    api_version = execcredential.requested_api_version()
    opts = options.from_args(ns)
    token, offset = get_token(opts)
    print(execcredential.render(api_version, token.access_token, token.expires_on - offset), flush=True)
    return 0


def _convert(ns: argparse.Namespace) -> int:
    from akslocal.kubelogin.convert import run

    run(ns)
    return 0


def _remove(ns: argparse.Namespace) -> int:
    from akslocal.kubelogin.cache import remove_cache_dir

    if remove_cache_dir(ns.cache_dir):
        print(f"Token cache at {os.path.expanduser(ns.cache_dir)} deleted.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    ns = parser.parse_args(argv)
    handlers = {"get-token": _get_token, "convert-kubeconfig": _convert, "remove-cache-dir": _remove,
                "remove-tokens": _remove}
    if ns.command not in handlers:
        parser.print_help(sys.stderr)
        return 1
    try:
        return handlers[ns.command](ns)
    except KubeloginError as err:
        print(f"Error: {err.message}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug or an unforeseen answer: one line for kubectl's user, details on demand
        if os.environ.get("AKSLOCAL_DEBUG"):
            raise
        print(f"Error: unexpected {type(err).__name__}: {err} (set AKSLOCAL_DEBUG=1 for the traceback)",
              file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
