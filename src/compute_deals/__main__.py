"""python -m compute_deals: the command line (build/cli.py)."""

import sys

from compute_deals.build.cli import main

sys.exit(main())
