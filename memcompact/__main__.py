"""``python -m memcompact`` runs the command line."""

import sys

from memcompact.cli import main

sys.exit(main())
