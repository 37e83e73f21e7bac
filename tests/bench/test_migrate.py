"""bench.migrate on a tiny export: every task and region lands, and the row has the
runner's keys (the figures themselves are measured by ``python -m bench``)."""

from __future__ import annotations

import pytest

from bench.migrate import run


@pytest.mark.slow
def test_migrate_row_on_a_small_labelstudio_export() -> None:
    [row] = run(40)
    assert row["unit"] == "MB" and row["target"] == 300.0 and row["meets"] is True
    assert row["detail"]["tasks"] == 40 and row["detail"]["regions"] > 0
