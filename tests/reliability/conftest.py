"""Print the reliability figures (for the README) at the end of a run."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = []
    crash = sys.modules.get("tests.reliability.test_crash")
    if crash and crash.RESULTS:
        r = crash.RESULTS
        if "trials" in r:
            lines.append(f"SIGKILL trials (session, second stores, {r['readers']} external "
                         f"readers): {r['trials']}, reported decisions: {r['decisions']}, "
                         f"lost: {r['lost']}")
        if "gui_worker_trials" in r:
            lines.append(f"SIGKILL trials (real window with suggester and export tasks, "
                         f"{r['gui_worker_readers']} external readers): "
                         f"{r['gui_worker_trials']}, decisions shown: "
                         f"{r['gui_worker_decisions']}, lost: {r['gui_worker_lost']}")
        if "gui_trials" in r:
            lines.append(f"SIGKILL trials (real window): {r['gui_trials']}, decisions shown: "
                         f"{r['gui_decisions']}, lost: {r['gui_lost']}")
    conc = sys.modules.get("tests.reliability.test_concurrency")
    if conc and conc.RESULTS:
        r = conc.RESULTS
        lines.append(f"two writers: {r['ops']} operations each, {r['events']} events, "
                     f"{r['switches']} writer switches, {r['broken']} broken event chains")
    hostile = sys.modules.get("tests.reliability.test_hostile_input")
    if hostile and hostile.RESULTS["tried"]:
        r = hostile.RESULTS
        lines.append(f"hostile files: {r['tried']} tried, {r['refused']} refused cleanly, "
                     f"{r['imported']} imported exactly, {r['crashes']} crashes")
    failsafe = sys.modules.get("tests.reliability.test_failsafe")
    if failsafe and failsafe.RESULTS:
        r = failsafe.RESULTS
        if "read_only_reads" in r:
            lines.append(f"read-only project (read-only mount): {r['read_only_reads']} of 4 "
                         f"read commands work, {r['read_only_writes_refused']} of 4 writes "
                         "refused in one line")
        if "full_disk_runs" in r:
            lines.append(f"full disk: {r['full_disk_runs']} commands, "
                         f"{r['full_disk_tracebacks']} tracebacks, "
                         f"{r['full_disk_corrupt']} corrupt projects")
    merge = sys.modules.get("tests.reliability.test_merge_kill")
    if merge and merge.RESULTS:
        r = merge.RESULTS
        lines.append(f"SIGKILL trials (merge of three annotators' files): {r['trials']}, "
                     f"as before: {r['before']}, fully merged: {r['merged']}, caught inside "
                     f"the merge: {r['caught_mid-merge']}, half-merged: 0")
    exports = sys.modules.get("tests.reliability.test_export_interrupts")
    if exports and exports.RESULTS:
        r = exports.RESULTS
        per = ", ".join(f"{k} {x['trials']} ({x['interrupted']} cut mid-export, "
                        f"{x['steps']} steps each)" for k, x in r.items())
        lines.append(f"exports interrupted: {sum(x['trials'] for x in r.values())} trials, "
                     f"{sum(x['debris'] + x['partial'] for x in r.values())} debris; {per}")
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
