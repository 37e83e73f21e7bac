"""``python -m annotator``: the command line (same as the ``annotator`` script)."""

from annotator.cli import main

if __name__ == "__main__":
    main()
