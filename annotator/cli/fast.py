"""The ``annotator`` script: the quick commands without click, the rest by click.

A command line of ``list``, ``show``, ``stats`` or ``mark`` that this module fully
understands (the options each command has, ``--opt value`` or ``--opt=value``, valid
values) runs the command's body (:mod:`.quick`) at once: click and what it imports
(``inspect``, ``gettext``...) were half of such a command's start-up (issue 28 §3).
Every other command line goes to the click group untouched: another command,
``--help``/``-h``, ``--version``, an unknown, repeated or ill-formed option, a bad or
missing value, an extra argument, shell completion (``_..._COMPLETE``), a stream with no
usable encoding. So click says every usage error and every help text, as before; and a
failing body ends in the words of the group's own handler (:func:`.quick.failure`).

``ANNOTATOR_NO_FAST=1`` sends every command line to click (to compare both ways:
``tests/test_cli_fast.py`` runs each case both ways and wants the same output).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Set (to anything but ``""`` or ``0``) to send every command line to click.
NO_FAST = "ANNOTATOR_NO_FAST"

#: The document statuses (:data:`annotator.model.STATUSES`, which imports typing and
#: the dataclasses; tests/test_cli_fast.py keeps both equal).
STATUSES = ("new", "in_progress", "done", "skipped", "flagged")

#: command -> its options: option -> (parameter of the body, kind of value)
_DB = {"--db": ("db_path", "path")}
OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "list": {"--status": ("status", "status"), "--search": ("search", "text"),
             "--limit": ("limit", "count"), "--after": ("after_id", "count"),
             "--doc-label": ("doc_label", "doc_label"), "--json": ("as_json", "flag"),
             **_DB},
    "show": {"--json": ("as_json", "flag"), **_DB},
    "stats": {"--json": ("as_json", "flag"), **_DB},
    "mark": {"--all": ("all_docs", "flag"), "--from-status": ("from_status", "status"),
             "--note": ("note", "text"), "--annotator": ("annotator_name", "text"), **_DB},
}


def main(argv: list[str] | None = None) -> Any:
    """Run ``annotator ARGV`` (default: the process's arguments): a quick command that
    :func:`parse` understands here, anything else by the click group."""
    args = sys.argv[1:] if argv is None else argv
    parsed = None if _click_only() else parse(args)
    if parsed is None:
        from ._util import main as group

        return group(argv)
    name, values = parsed
    script = argv is None  # the process is this command's alone
    status = run(name, values, script)
    if script:  # nothing is left to do but end
        end(status)
    return status


def run(name: str, values: dict[str, Any], script: bool = False) -> int:
    """Run the body of the quick command ``name`` with ``values`` (from :func:`parse`);
    the exit status. A failure ends as the click group ends it: ``Error: `` and the line
    of :func:`.quick.failure`, status 1 (a closed pipe and a bug end in there).

    In the ``script``'s own process, the garbage collector is off while the command's
    modules are imported, and what they made is then frozen (:func:`gc.freeze`): they
    make thousands of objects and no garbage, and the collector's passes over them
    were 5 million instructions (3 ms) of the start-up."""
    if script:
        import gc

        gc.disable()
    try:
        from .. import store  # noqa: F401  (every body opens the project)
        from . import quick

        if name == "mark":
            from .. import session  # noqa: F401
    finally:
        if script:
            gc.freeze()
            gc.enable()
    try:
        if name == "list":
            quick.list_documents(**values)
        elif name == "show":
            quick.show_document(**values)
        elif name == "stats":
            quick.show_stats(**values)
        else:
            quick.mark_documents(**values)
    except KeyboardInterrupt:  # as click's main says it
        quick.echo(err=True)
        quick.echo("Aborted!", err=True)
        return 1
    except Exception as exc:
        quick.echo(f"Error: {quick.failure(exc, name)}", err=True)
        return 1
    return 0


def end(status: int) -> None:
    """End the process with ``status`` once the command is done, without the
    interpreter's teardown (clearing every module: 13 million instructions, 7 ms, of a
    quick command), when nothing is left for it to do: the output flushed, no
    :mod:`atexit` function registered (the test hook's count, a coverage tool), no other
    thread. Otherwise return, and the interpreter ends as usual. Every body has closed
    its project by then: its last commit is on disk (``synchronous = FULL``)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed pipe: Python's own ending says it, as before
        return
    import atexit

    ncallbacks = getattr(atexit, "_ncallbacks", None)
    threading = sys.modules.get("threading")
    if ncallbacks is None or ncallbacks() or (threading and threading.active_count() > 1):
        return
    os._exit(status)


def _click_only() -> bool:
    """Whether this process must go through click whatever the command: the switch
    :data:`NO_FAST`, a shell-completion request, or an output stream click would
    re-encode (none, or one whose encoding is ASCII)."""
    if os.environ.get(NO_FAST, "") not in ("", "0"):
        return True
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return True
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        try:
            if not encoding or codecs.lookup(encoding).name == "ascii":
                return True
        except LookupError:
            return True
        if getattr(stream, "errors", None) is None:
            return True
    return False


def parse(args: list[str]) -> tuple[str, dict[str, Any]] | None:
    """``(command, the body's keyword arguments)`` for a command line that runs the same
    here as through click, else ``None`` (click is to parse it)."""
    if not args or args[0] not in OPTIONS:
        return None
    name, options = args[0], OPTIONS[args[0]]
    values: dict[str, Any] = {}
    positional: list[str] = []
    i = 1
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positional.extend(args[i:])
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        option, eq, value = arg.partition("=")
        if option not in options:
            return None  # -h, --help, an unknown or a short option: click says it
        dest, kind = options[option]
        if dest in values:
            return None  # given twice
        if kind == "flag":
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            if i >= len(args) or args[i].startswith("-"):
                return None  # missing, or click's way of reading it is for click
            value = args[i]
            i += 1
        converted = _convert(kind, value)
        if converted is None:
            return None
        values[dest] = converted
    return _arguments(name, values, positional)


def _arguments(name: str, values: dict[str, Any],
               positional: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The body's keyword arguments from the options and the positional arguments, or
    ``None`` where click would refuse them."""
    values.setdefault("db_path", None)
    if name in ("list", "stats"):
        return None if positional else (name, values)
    if name == "show":
        if len(positional) != 1 or not _is_count(positional[0]):
            return None
        return name, {**values, "doc_id": int(positional[0])}
    # mark STATUS [DOC_IDS]... with ids or --all, not both
    if not positional or positional[0] not in STATUSES:
        return None
    ids = positional[1:]
    all_docs = values.pop("all_docs", False)
    if bool(ids) == all_docs or not all(_is_count(x) for x in ids):
        return None
    return name, {**values, "status": positional[0],
                  "doc_ids": [int(x) for x in ids] if ids else None}


def _is_count(text: str) -> bool:
    """Digits only (what click's ``int`` reads as a non-negative number; other forms of
    numbers, such as ``+1`` or ``1_000``, go to click)."""
    return text.isascii() and text.isdigit()


def _convert(kind: str, value: str) -> Any:
    """``value`` as the body takes it, or ``None`` if click is to judge it."""
    if kind == "text":
        return value
    if kind == "status":
        return value if value in STATUSES else None
    if kind == "count":
        return int(value) if _is_count(value) else None
    if kind == "doc_label":
        from .quick import doc_label_syntax_ok

        return value if doc_label_syntax_ok(value) else None
    # "path": click.Path(dir_okay=False) takes a name that does not exist, or one that
    # is not a directory and is readable
    if not value:
        return None
    try:
        st = os.stat(value)
    except OSError:
        pass
    else:
        import stat

        if stat.S_ISDIR(st.st_mode) or not os.access(value, os.R_OK):
            return None
    return value  # the name as given: the store spells it as pathlib would
