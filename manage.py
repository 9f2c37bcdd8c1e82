#!/usr/bin/env python
"""Django's command-line utility; the same as the `zhengwu` console script."""

from config.cli import main

if __name__ == "__main__":
    main()
