"""``python -m tests.benchmarks [--quick]``: see tests/benchmarks/suite.py."""

import sys

from .suite import main

sys.exit(main())
