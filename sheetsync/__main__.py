"""``python -m sheetsync``: the same as the ``sheetsync`` command."""

import sys

from .cli import main

sys.exit(main())
