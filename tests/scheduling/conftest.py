"""Scheduling-core tests: pure, no database, no Django settings needed."""

import sys
from pathlib import Path

# The shared builders live next to the tests; make them importable under any import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))
