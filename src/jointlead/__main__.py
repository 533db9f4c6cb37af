"""Lets `python -m jointlead` behave exactly like the `jointlead` command."""

import multiprocessing
import sys

from jointlead.cli import main

if __name__ == "__main__":
    # Workbooks are parsed in a spawned child process; a frozen app starts that child through its own executable.
    multiprocessing.freeze_support()
    sys.exit(main())
