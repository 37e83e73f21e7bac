"""``python main.py [--db PATH] [--annotator NAME]``: open the annotation window."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    from annotator.gui.app import run

    sys.exit(run(sys.argv[1:]))
