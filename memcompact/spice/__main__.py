"""``python -m memcompact.spice``: check the SPICE toolchain."""

import sys

from memcompact.spice.toolchain import main

sys.exit(main())
