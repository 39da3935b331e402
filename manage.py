#!/usr/bin/env python
"""Django's command line; `.venv/bin/gongzhi` is the same thing installed as a script."""

from gongzhi.cli import main

if __name__ == "__main__":
    main()
