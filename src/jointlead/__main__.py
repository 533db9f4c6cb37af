"""Lets `python -m jointlead` behave exactly like the `jointlead` command."""

import sys

from jointlead.cli import main

sys.exit(main())
