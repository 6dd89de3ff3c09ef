"""``python -m swe_runner`` is the ``swe-runner`` command."""

import sys

from swe_runner.cli.main import main

sys.exit(main())
