"""CLI commands ``suggest`` and ``accept`` (registered on the main group)."""
