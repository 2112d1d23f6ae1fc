"""``python -m sheetsync``: the same as the ``sheetsync`` command."""

import sys

from .cli.main import main

sys.exit(main())
