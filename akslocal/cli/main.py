"""The ``azlocal`` console script.

``azlocal --version`` answers before knack is imported; everything else builds the
knack CLI (``akslocal.cli.app``), which loads only the command module named by the
first word of the command line.
"""

from __future__ import annotations

import sys


def version_text() -> str:
    import platform

    from akslocal import __version__

    return (f"azlocal                           {__version__}\n\n"
            f"Python ({platform.system()}) {sys.version}\n\nPython location '{sys.executable}'\n")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-v"]):
        print(version_text())
        return 0
    from akslocal.cli.app import build_cli

    cli = build_cli()
    try:
        return int(cli.invoke(args) or 0)
    except SystemExit as exit_:  # argparse's usage errors and -h end here
        return exit_.code if isinstance(exit_.code, int) else 1
    finally:
        from akslocal.cli.app import close_session

        close_session()


if __name__ == "__main__":
    sys.exit(main())
