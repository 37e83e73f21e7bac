"""``python -m annotator``: the command line (same as the ``annotator`` script)."""

import sys

from annotator.cli.fast import main

if __name__ == "__main__":
    sys.exit(main())
