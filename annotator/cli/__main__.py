"""``python -m annotator.cli``: the command line."""

import sys

from annotator.cli.fast import main

if __name__ == "__main__":
    sys.exit(main())
