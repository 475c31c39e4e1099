"""`make bench`: python -m bench [--tiny] [--keep] (see bench/command.py)."""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from bench.command import Command  # after setup: it imports the apps' models

    Command().run_from_argv(["python -m bench", "bench", *sys.argv[1:]])


if __name__ == "__main__":
    main()
