"""TEST-ONLY: stop this process at step N of a merge, an export or its SQL work.

The kill tests (``tests/reliability``) used to kill a process at a random wall-clock
moment, which a busy machine shifts (a kill meant for the middle of a merge landed
before it began). With ``ANNOTATOR_TEST_STOP_AT`` set, the process counts steps and, at
the N-th, sends itself SIGSTOP; the test sees it stopped and kills it there. The test
draws N from a seeded generator, so the trials still cover many points.

Values: ``N`` counts every step; ``KIND:N`` only steps of one kind: ``merge`` (per file
merged, and before a new team project is renamed into place), ``export`` (per document
handed to the writer, and per output put into place) or ``sql`` (every ``SQL_OPS`` SQLite VM
instructions on any connection of the process) or ``tokens`` (per document a tokenising
worker process tokenises: each worker counts its own). ``count`` (or ``KIND:count``)
stops nowhere and prints ``annotator-test-steps: N`` on stderr at exit. ``KIND:N:SIGNAL``
sends that signal instead of SIGSTOP (``tokens:2:SIGKILL``: each worker dies at its
second document).

Product code never sets it. The variable is read once, at import; unset, :func:`step`
is one test of a global and :func:`watch` installs nothing.
"""

from __future__ import annotations

import os
import sqlite3
import sys

VARIABLE = "ANNOTATOR_TEST_STOP_AT"
SQL_OPS = 1000


class Plan:
    """Where to stop: at the ``at``-th step of ``kind`` (every kind if None), with
    ``signum`` (default SIGSTOP); ``at`` None only counts. A plain class, and
    :mod:`signal` imported only for a plan: every command imports this module (a
    dataclass and the signal enums cost 5 million instructions at each start)."""

    def __init__(self, at: int | None, kind: str | None = None,
                 signum: int | None = None) -> None:
        import signal

        self.at = at
        self.kind = kind
        self.signum = signal.SIGSTOP if signum is None else signum
        self.seen = 0

    def __repr__(self) -> str:
        return (f"Plan(at={self.at!r}, kind={self.kind!r}, signum={self.signum!r}, "
                f"seen={self.seen!r})")

    def hit(self, kind: str) -> None:
        if self.kind is not None and kind != self.kind:
            return
        self.seen += 1
        if self.seen == self.at:
            os.kill(os.getpid(), self.signum)


def _parse(value: str | None) -> Plan | None:
    if not value:
        return None
    import atexit
    import signal

    kind, _, at = value.rpartition(":")
    signum = signal.SIGSTOP
    if at.startswith("SIG"):
        signum = signal.Signals[at]
        kind, _, at = kind.rpartition(":")
    plan = Plan(None if at == "count" else int(at), kind or None, signum)
    if plan.at is None:
        atexit.register(lambda: sys.stderr.write(f"annotator-test-steps: {plan.seen}\n"))
    return plan


_plan = _parse(os.environ.get(VARIABLE))


def step(kind: str) -> None:
    """One step of ``kind`` done (a no-op unless a test armed the hook)."""
    if _plan is not None:
        _plan.hit(kind)


def watch(conn: sqlite3.Connection) -> None:
    """Count ``sql`` steps on ``conn`` (nothing unless a test armed the hook)."""
    if _plan is not None and _plan.kind in (None, "sql"):
        conn.set_progress_handler(_sql_step, SQL_OPS)


def _sql_step() -> int:
    step("sql")
    return 0


def arm(at: int | None, kind: str | None = None, signum: int | None = None) -> Plan:
    """For a test running the code in its own process: stop (or signal) at step ``at``
    of ``kind`` from now on (``signum`` None: SIGSTOP); ``disarm()`` ends it.
    Connections opened before are not watched."""
    global _plan
    _plan = Plan(at, kind, signum)
    return _plan


def disarm() -> None:
    """Back to doing nothing."""
    global _plan
    _plan = None
