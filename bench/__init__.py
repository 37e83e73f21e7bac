"""Benchmarks: ``python -m bench`` (quick) or ``python -m bench --full``; see ``bench/__main__.py``.

Convention for a benchmark module ``bench/<name>.py``:

- ``run(n_docs: int) -> list[dict]`` measures on a generated corpus of ``n_docs`` documents
  and returns one row per figure::

      {"name": str,               # what was measured, e.g. "import .txt/.jsonl, vs ..."
       "value": float,            # the figure
       "unit": str,               # "docs/s", "ms", "MB", ...
       "baseline": float | None,  # the same measure of the bare baseline, same run
       "ratio": float | None,     # value / baseline
       "target": float | None,    # for a rate (unit "…/s") with a baseline: the ratio;
                                  # else in ``unit`` (ms, MB); "target_unit" may say
       "higher_is_better": bool,
       "meets": bool | None}      # None: informative only, no target

  Extra keys (``"detail"``) are kept in ``bench/results.json``.
- The module is runnable on its own: ``python -m bench.<name> [--docs N]``.
- It makes its own data (seeded; :mod:`bench.corpus` for articles) in a temporary
  folder, and leaves nothing behind.

The runner calls ``run`` at two corpus sizes a factor 10 apart, each in a fresh
subprocess (its own memory figures, and a crash or a missing module is a skipped line,
never a failed run).
"""
