"""``python -m atlas``: the ``atlas`` command."""

import sys

from atlas.cli import main

sys.exit(main())
