"""`gongzhi` on the command line: Django's management commands under the platform's name.

`gongzhi demo load`, `gongzhi grids draw …`, `gongzhi open311 key …` are management commands
with sub-commands, so the platform has one command line and one place to add to it.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "gongzhi"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
