#!/usr/bin/env python3
"""Generate synthetic Form 14-941 scans plus truth.json (same options as ``python -m cisr_desk.synth``)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cisr_desk.synth.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
