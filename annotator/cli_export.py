"""CLI command ``export`` (registered on the main group)."""
