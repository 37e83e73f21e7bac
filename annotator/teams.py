"""Teams: split a project among annotators, merge their files back, review to gold.

The team meets through files (docs/architecture.md, Data model):

- :func:`split` writes one project file per annotator: their share of the documents
  (a seeded, stated fraction shared by two or more of them), the project's label scheme,
  the pending suggestions and cached tokens of those documents.
- :func:`merge` brings the files back into a team project, each file's own decisions as
  that annotator's *annotation set* (spans and events with an ``annotation_set``
  column; documents matched by content hash). Nothing is overwritten; merging a file
  again adds only what is new in it; every file is checked first and the whole merge is
  one transaction.
- :func:`review_state` says, for a document two or more annotators marked done, where
  they agree and where their versions differ; the window's review mode takes versions
  into the gold set (the team project's own set) through the usual session operations.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import shlex
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import testhook
from .doc_review import DocLabelPlan, apply_doc_labels, plan_doc_labels
from .errors import TeamError as TeamError
from .model import (
    Claim,
    LabelLayer,
    Span,
    as_layer,
    check_label_name,
    check_plain_name,
    check_set_name,
)
from .paths import clash_refusal, project_clashes, project_files, remove_project_files
from .store import SCHEMA_VERSION, Store, StoreError, lock_holders

#: SQLite attaches at most ten databases to one connection, and a merge is one
#: transaction over all its files.
MAX_MERGE_FILES = 10


# --- split ---------------------------------------------------------------------------


@dataclass
class SplitPlan:
    """Who gets which documents: ``assignments`` (annotator -> ids, in order) and the
    ids of the ``shared`` documents (each given to ``copies`` annotators)."""

    assignments: dict[str, list[int]]
    shared: list[int]
    copies: int

    def counts(self) -> dict[str, tuple[int, int]]:
        """Annotator -> (documents, of which shared)."""
        shared = set(self.shared)
        return {name: (len(ids), sum(1 for i in ids if i in shared))
                for name, ids in self.assignments.items()}


def shared_count(n_docs: int, overlap: float) -> int:
    """How many of ``n_docs`` documents an overlap fraction shares: rounded half up
    (0.3 of 55 is 16.5, so 17)."""
    return min(n_docs, math.floor(overlap * n_docs + 0.5))


def plan_split(doc_ids: Iterable[int], annotators: list[str], overlap: float = 0.2,
               seed: int = 0, copies: int = 2) -> SplitPlan:
    """Deal documents out: a seeded shuffle; the first :func:`shared_count` of it go to
    ``copies`` annotators each, the rest to one; every document to whoever has fewest so
    far (ties by the order of ``annotators``), so the shares differ by at most one or
    two documents and every pair of annotators shares some documents."""
    check_annotators(annotators)
    if not 0.0 <= overlap <= 1.0:
        raise TeamError(f"overlap must be between 0 and 1, not {overlap}")
    if overlap > 0 and not 2 <= copies <= len(annotators):
        raise TeamError(f"a shared document goes to 2 to {len(annotators)} annotators, "
                        f"not {copies}" if len(annotators) > 1 else
                        "sharing documents needs two or more annotators (--overlap 0)")
    order = sorted(doc_ids)
    random.Random(seed).shuffle(order)
    n_shared = shared_count(len(order), overlap) if overlap > 0 else 0
    load = {name: 0 for name in annotators}
    given: dict[str, list[int]] = {name: [] for name in annotators}
    for i, doc_id in enumerate(order):
        takers = sorted(annotators, key=lambda a: (load[a], annotators.index(a)))
        for name in takers[:copies if i < n_shared else 1]:
            given[name].append(doc_id)
            load[name] += 1
    return SplitPlan({name: sorted(ids) for name, ids in given.items()},
                     sorted(order[:n_shared]), copies if n_shared else 1)


def check_annotators(annotators: list[str]) -> None:
    if not annotators:
        raise TeamError("name at least one annotator")
    for name in annotators:
        reason = check_set_name(name)
        if reason:
            raise TeamError(f"annotator {name!r}: {reason}")
    if len({a.lower() for a in annotators}) != len(annotators):
        raise TeamError(f"annotators named twice: {', '.join(annotators)}")


@dataclass
class SplitResult:
    plan: SplitPlan
    files: dict[str, Path]
    suggestions: dict[str, int]
    total: int
    overlap: float

    def summary(self) -> str:
        counts = self.plan.counts()
        who = ", ".join(f"{name} {n} ({shared} shared)" for name, (n, shared) in counts.items())
        n_shared = len(self.plan.shared)
        share = n_shared / self.total if self.total else 0.0
        folder = next(iter(self.files.values())).parent if self.files else Path(".")
        return (f"split {self.total} documents among {len(self.files)} annotators into "
                f"{folder}: {who}\n{n_shared} documents ({share:.1%}, asked "
                f"{self.overlap:.0%}) shared by {self.plan.copies} annotators each")


def split(store: Store, annotators: list[str], out_dir: Path, overlap: float = 0.2,
          seed: int = 0, copies: int = 2, team: str | None = None,
          force: bool = False, on_file: Callable[[str], None] | None = None
          ) -> SplitResult:
    """Write ``out_dir/NAME.db`` for each annotator (see the module docstring).

    The source project is only read: an output that is the source or one of its files
    (its -wal, -shm, -journal, backups, models folder), by name, folder, symlink or hard
    link, is refused whatever ``force`` says. Every file is made under a temporary name
    in ``out_dir`` and all are renamed into place only when all are complete, so a
    failure leaves none of them (and an earlier set of files as it was). An existing file
    is refused unless ``force``, and even then when another process has it open (its
    later decisions would go into a file nobody can open again). ``on_file(name)`` is
    called before each annotator's file is made."""
    plan = plan_split(store.document_ids(), annotators, overlap, seed, copies)
    files, suggestions, _ = _deal(store, plan, out_dir, team=team, force=force,
                                  on_file=on_file, what="split",
                                  log={"seed": seed, "overlap": overlap})
    return SplitResult(plan, files, suggestions, len(store.document_ids()), overlap)


def _deal(store: Store, plan: SplitPlan, out_dir: Path, *, team: str | None, force: bool,
          on_file: Callable[[str], None] | None, what: str, log: dict[str, Any],
          meta: dict[str, str] | None = None,
          placing: Callable[[dict[str, str]], contextlib.AbstractContextManager[Any]]
          | None = None) -> tuple[dict[str, Path], dict[str, int], dict[str, str]]:
    """Write each annotator's share of ``plan`` as ``out_dir/NAME.db`` (split's safety:
    see :func:`split`), with ``meta`` entries besides the team's and the annotator's, and
    a ``what`` event carrying ``log``. ``placing(project ids by name)``, if given, is
    entered around the renames that put the files in place (``assign`` records there, in
    the source's own transaction, what it dealt). Returns the files, the suggestions
    each got and each file's project id."""
    annotators = list(plan.assignments)
    out_dir = Path(out_dir)
    targets = {name: out_dir / f"{name}.db" for name in annotators}
    temps = {name: out_dir / f".{name}.db.split-tmp" for name in annotators}
    clash = project_clashes(store.path, [p for path in [*targets.values(), *temps.values()]
                                         for p in project_files(path)])
    if clash:
        raise TeamError(clash_refusal(store.path, clash[0]), hint="nothing was written")
    if not force:
        taken = [str(p) for p in targets.values() if os.path.lexists(p)]
        if taken:
            raise TeamError(f"{', '.join(taken)} already exist(s); nothing was written "
                            "(--force replaces them)")
    _refuse_open(targets.values())
    out_dir.mkdir(parents=True, exist_ok=True)
    team = team or store.meta_value("team") or store.path.stem
    suggestions = {}
    ids = {}
    try:
        for name, tmp in temps.items():
            if on_file is not None:
                on_file(name)
            remove_project_files(tmp)
            with Store(tmp) as part:
                part.attach(store.path, "src")
                try:
                    with part.write():
                        counts = part.copy_for_split("src", plan.assignments[name])
                        part.set_meta("team", team)
                        part.set_meta("annotator", name)
                        part.set_meta("split_from", store.project_id)
                        for key, value in (meta or {}).items():
                            part.set_meta(key, value)
                        part.log_event("split", name, after={
                            "team": team, "annotator": name, "documents": counts["documents"],
                            **log, "from": str(store.path)})
                finally:
                    part.detach("src")
                ids[name] = part.project_id
            suggestions[name] = counts["suggestions"]
        _refuse_open(targets.values())  # again: one may have been opened meanwhile
        with placing(ids) if placing is not None else contextlib.nullcontext(), \
                _signals_held():
            for name, target in targets.items():
                if os.path.lexists(target):
                    remove_project_files(target, sidecars_only=True)
                os.replace(temps[name], target)
    finally:
        for tmp in temps.values():
            remove_project_files(tmp)
    return targets, suggestions, ids


def _refuse_open(paths: Iterable[Path]) -> None:
    """Refuse to replace a project another process (or another window of this one)
    holds open, naming it (Linux ``/proc/locks``)."""
    for path in paths:
        if os.path.lexists(path):
            holders = lock_holders(path)
            if holders:
                raise TeamError(f"{path}: open in {', '.join(holders)}; replacing it would "
                                "lose the decisions made there from now on. Close it there "
                                "first; nothing was written")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """The renames that put a split in place, with SIGINT/SIGTERM held back (all of the
    files or none; the export's own guard)."""
    from .export.base import signals_deferred

    with signals_deferred():
        yield


# --- assign: the next batch for the same annotators -----------------------------------

#: How ``assign`` orders the documents it has not dealt yet.
ASSIGN_ORDERS = ("sequential", "random", "uncertain")
#: ``meta`` keys: ``assign:N`` records batch N (who got which documents, their files'
#: project ids); ``set_file:PROJECT_ID`` records a file merged into a set (see merge).
ASSIGN_KEY = "assign:"
SET_FILE_KEY = "set_file:"


def batches(store: Store) -> list[dict[str, Any]]:
    """The batches ``assign`` dealt from this project, oldest first: ``batch`` (its
    number), ``at``, ``by``, ``order``, ``annotators`` (name -> ``{"file": project id,
    "documents": ids}``), ``shared``."""
    found = [json.loads(v) for v in store.meta_prefixed(ASSIGN_KEY).values()]
    return sorted(found, key=lambda b: int(b["batch"]))


def given_out(store: Store) -> set[int]:
    """Documents given to someone already: dealt by ``assign`` from this project, or
    held by an annotator's set merged into it (what ``split`` handed out and came back)."""
    ids = store.given_document_ids()
    for batch in batches(store):
        for share in batch["annotators"].values():
            ids.update(share["documents"])
    return ids


def assign_order(store: Store, doc_ids: Iterable[int], order: str, seed: int = 0
                 ) -> list[int]:
    """``doc_ids`` in the order ``assign`` deals them: ``sequential`` (by id),
    ``random`` (a seeded shuffle) or ``uncertain`` (the window's uncertainty queue,
    :func:`annotator.train.loop.uncertainty_order`: the documents whose suggestions sit
    nearest the decision margin first, then the others by id)."""
    ids = sorted(doc_ids)
    if order == "sequential":
        return ids
    if order == "random":
        random.Random(seed).shuffle(ids)
        return ids
    if order != "uncertain":
        raise TeamError(f"no order {order!r} (one of {', '.join(ASSIGN_ORDERS)})")
    from .model import STATUSES
    from .suggest.claims import COMBINED_THRESHOLD
    from .train.loop import uncertainty_order

    wanted = set(ids)
    return [i for i in uncertainty_order(store, COMBINED_THRESHOLD, STATUSES) if i in wanted]


@dataclass
class AssignResult:
    """What ``assign`` dealt: the batch number, the plan, the files, how many documents
    were left to deal before and after."""

    batch: int
    plan: SplitPlan
    files: dict[str, Path]
    suggestions: dict[str, int]
    available: int
    given_before: int
    order: str
    project: Path
    team_project: bool

    @property
    def dealt(self) -> int:
        return len({i for ids in self.plan.assignments.values() for i in ids})

    def summary(self) -> str:
        counts = self.plan.counts()
        who = ", ".join(f"{name} {n} ({shared} shared)" for name, (n, shared) in counts.items())
        folder = next(iter(self.files.values())).parent if self.files else Path(".")
        lines = [f"batch {self.batch}: dealt {self.dealt} of the {self.available} document(s)"
                 f" not given out yet ({self.order} order) into {folder}: {who}",
                 f"  {len(self.plan.shared)} shared by {self.plan.copies} annotators each; "
                 f"{self.available - self.dealt} left to deal; {self.given_before} given out "
                 "before (or reviewed)"]
        if self.team_project:
            files = " ".join(shlex.quote(str(p)) for p in self.files.values())
            lines.append(f"  when they are done: `annotator merge {files} --into "
                         f"{shlex.quote(str(self.project))}` (each file adds to its "
                         "annotator's set)")
        return "\n".join(lines)


def assign(store: Store, annotators: list[str], out_dir: Path, count: int | None = None,
           overlap: float = 0.2, seed: int = 0, copies: int = 2, order: str = "sequential",
           team: str | None = None, force: bool = False, who: str | None = None,
           on_file: Callable[[str], None] | None = None) -> AssignResult:
    """Deal the next ``count`` documents (default: all) not given to anyone yet (see
    :func:`given_out`; reviewed documents neither) to ``annotators`` in ``order``, as
    :func:`split` deals (a seeded ``overlap`` shared by ``copies`` annotators), writing
    ``out_dir/NAME.db`` with split's safety. Each file says it is batch N for NAME (meta
    ``batch``, ``batch_of``), so that :func:`merge` adds it to NAME's set. What was dealt
    to whom is recorded in this project (meta ``assign:N`` and an ``assign`` event) in
    one transaction with the renames that put the files in place: a failure records
    nothing and leaves no file."""
    check_annotators(annotators)
    if order not in ASSIGN_ORDERS:
        raise TeamError(f"no order {order!r} (one of {', '.join(ASSIGN_ORDERS)})")
    if count is not None and count < 1:
        raise TeamError(f"--count must be 1 or more, not {count}")
    if store.readonly:
        raise TeamError(f"{store.path}: read-only; assign records what it deals there; "
                        "nothing was written")
    given = given_out(store) | set(store.document_ids("done"))
    pool = [i for i in store.document_ids() if i not in given]
    if not pool:
        raise TeamError(f"nothing to assign: all {store.count_documents()} document(s) of "
                        f"{store.path} were given out (or reviewed) already; import more "
                        f"(`annotator import FILES --db {shlex.quote(str(store.path))}`); "
                        "nothing was written")
    chosen = assign_order(store, pool, order, seed)[:count]
    plan = plan_split(chosen, annotators, overlap, seed, copies)
    number = max((int(b["batch"]) for b in batches(store)), default=0) + 1
    from .session import login_name

    record: dict[str, Any] = {
        "batch": number, "by": who or login_name(), "order": order, "seed": seed,
        "overlap": overlap, "copies": plan.copies, "shared": plan.shared}

    @contextlib.contextmanager
    def placing(ids: dict[str, str]) -> Iterator[None]:
        record["annotators"] = {name: {"file": ids[name], "documents": docs}
                                for name, docs in plan.assignments.items()}
        from .store.rows import now

        record["at"] = now()
        with store.write():
            store.set_meta(f"{ASSIGN_KEY}{number}", json.dumps(record, sort_keys=True))
            store.log_event("assign", record["by"], after={
                "batch": number, "order": order, "out": str(out_dir),
                "documents": {n: len(d) for n, d in plan.assignments.items()},
                "shared": len(plan.shared)})
            yield

    files, suggestions, _ = _deal(
        store, plan, out_dir, team=team, force=force, on_file=on_file, what="dealt from",
        log={"batch": number, "seed": seed, "overlap": overlap, "order": order},
        meta={"batch": str(number), "batch_of": store.project_id}, placing=placing)
    return AssignResult(number, plan, files, suggestions, len(pool), len(given), order,
                        store.path, store.has_annotation_sets())


# --- merge ---------------------------------------------------------------------------


@dataclass
class MergedFile:
    path: Path
    name: str
    counts: dict[str, int]
    again: bool  # the file (by project id) was merged before
    batch: bool = False  # a later batch of a set merged before (see assign)

    @property
    def changed(self) -> bool:
        c = self.counts
        return any(c.get(k, 0) for k in ("documents_added", "spans", "spans_removed",
                                         "events", "statuses", "doc_labels",
                                         "doc_labels_removed"))

    def summary(self) -> str:
        if not self.changed:
            return f"{self.path}: set {self.name}: nothing new (merged before)"
        c = self.counts
        return (f"{self.path}: set {self.name}: {c['documents']} documents "
                f"({c['documents_added']} new to the team), {c['spans']} spans"
                + (f" (replacing {c['spans_removed']})" if c["spans_removed"] else "")
                + (f", {c['doc_labels']} document labels" if c.get("doc_labels") else "")
                + f", {c['events']} events" + (" (an update of a file merged before)"
                                               if self.again else "")
                + (" (a new batch of the same annotator)" if self.batch else ""))


@dataclass
class MergeResult:
    into: Path
    files: list[MergedFile] = field(default_factory=list)
    created: bool = False

    def summary(self) -> str:
        lines = [f"merged {len(self.files)} file(s) into {self.into}"
                 + (" (new)" if self.created else "")]
        lines += ["  " + f.summary() for f in self.files]
        return "\n".join(lines)


def parse_source(arg: str) -> tuple[Path, str | None]:
    """``PATH`` or ``PATH=NAME`` (the set's name, for a file that does not say whose it
    is); a path that exists as written is always a path."""
    if "=" in arg and not Path(arg).exists():
        path, _, name = arg.rpartition("=")
        return Path(path), name
    return Path(arg), None


def merge(into: Path, sources: list[tuple[Path, str | None]], who: str | None = None,
          on_file: Callable[[Path], None] | None = None) -> MergeResult:
    """Merge annotators' project files into the team project ``into`` (created if
    missing; see the module docstring). Every file is checked before anything is
    written; the merge is one transaction, and a new team project appears under its
    name only when complete, so a failure or a kill leaves ``into`` as it was."""
    if not sources:
        raise TeamError("name the annotators' project files to merge")
    if len(sources) > MAX_MERGE_FILES:
        raise TeamError(f"at most {MAX_MERGE_FILES} files in one merge (one transaction); "
                        "merge the others in a second run")
    if who is not None and check_plain_name(who):
        raise TeamError(f"annotator {who!r}: {check_plain_name(who)}; nothing was merged")
    into = Path(into)
    created = not into.exists()
    target = into.with_name(f".{into.name}.merge-tmp") if created else into
    if created:
        remove_project_files(target)
    result = MergeResult(into, created=created)
    try:
        with Store(target, create=created) as team:
            result.files = _merge_into(team, sources, who, on_file)
        testhook.step("merge")  # TEST-ONLY: committed, not yet in place
        if created:
            os.replace(target, into)
    except sqlite3.DatabaseError as exc:
        if created:
            remove_project_files(target)
        if "malformed" not in str(exc) and "corrupt" not in str(exc):
            raise
        files = " ".join(shlex.quote(str(p)) for p, _ in sources)
        raise TeamError(f"merge into {into}: a file is damaged ({exc}); nothing was merged "
                        f"(`annotator doctor {files}` says which)") from exc
    except BaseException:
        if created:
            remove_project_files(target)
        raise
    return result


@dataclass
class _Source:
    """One file of a merge, checked: where, attached as, whose set, its project id, the
    record of its last merge (``None``: never merged), where it was dealt from."""

    path: Path
    alias: str
    name: str
    project_id: str
    record: dict[str, Any] | None
    origin: str | None
    batch: bool


def set_files(team: Store) -> dict[str, dict[str, Any]]:
    """The files merged into a team project, by project id: ``set``, ``path``,
    ``events_upto`` (the last of its events merged) and ``origin`` (the project it was
    split or dealt from, where known). One set can hold several files: an annotator's
    batches (:func:`assign`); ``annotation_sets`` keeps one row per set, ``meta`` the
    record of each file."""
    files: dict[str, dict[str, Any]] = {
        s["project_id"]: {"set": s["name"], "path": s["path"],
                          "events_upto": s["events_upto"], "origin": None}
        for s in team.annotation_sets()}
    for key, value in team.meta_prefixed(SET_FILE_KEY).items():
        files[key[len(SET_FILE_KEY):]] = json.loads(value)
    return files


def _merge_into(team: Store, sources: list[tuple[Path, str | None]], who: str | None,
                on_file: Callable[[Path], None] | None) -> list[MergedFile]:
    if team.readonly:
        raise TeamError(f"{team.path}: the team project is read-only; nothing was merged")
    aliases: list[str] = []
    plans: list[_Source] = []
    merged: list[MergedFile] = []
    with team.bulk():
        try:
            sets = {s["name"]: s for s in team.annotation_sets()}
            files = set_files(team)
            fresh = team.count_documents() == 0 and not sets
            scheme = None if fresh else team.scheme_names()
            for i, (path, override) in enumerate(sources):
                alias = f"src{i}"
                try:  # header, schema, quick_check and caps: refused before any row is read
                    version = team.attach(path, alias, verify=True)
                except StoreError as exc:
                    raise TeamError(f"{exc}; nothing was merged") from exc
                aliases.append(alias)
                name, project_id = _check_source(team, alias, path, version, override)
                source = _Source(path, alias, name, project_id, files.get(project_id),
                                 *_dealt_from(team, alias))
                _check_set_file(team, source, files, plans)
                theirs = team.attached_scheme(alias)
                if scheme is None:
                    scheme = theirs
                elif theirs != scheme:
                    raise TeamError(f"{path}: holds another label scheme "
                                    f"({_scheme_difference(theirs, scheme)}); nothing was "
                                    "merged")
                plans.append(source)
            with team.write():
                if fresh and plans:
                    team.adopt_scheme(plans[0].alias)
                for src in plans:
                    if on_file is not None:
                        on_file(src.path)
                    testhook.step("merge")  # TEST-ONLY: a kill test may stop here
                    known = src.record
                    counts = team.merge_set(src.alias, src.name,
                                            int(known["events_upto"]) if known else None)
                    upto = int(team.attached_value(src.alias, "SELECT coalesce(max(id), 0)"
                                                              " FROM {src}.events"))
                    item = MergedFile(src.path, src.name, counts, known is not None,
                                      src.batch and known is None and src.name in sets)
                    if item.changed or known is None:
                        where = str(src.path.resolve())
                        row = sets.get(src.name)
                        if row is None or row["project_id"] == src.project_id:
                            team.put_annotation_set(src.name, src.project_id, where, upto)
                            sets[src.name] = {"name": src.name,
                                              "project_id": src.project_id}
                        team.set_meta(f"{SET_FILE_KEY}{src.project_id}", json.dumps({
                            "set": src.name, "path": where, "events_upto": upto,
                            "origin": src.origin}, sort_keys=True))
                        team.log_event("merge", who, after={
                            "set": src.name, "file": str(src.path), **counts,
                            **({"batch": True} if src.batch else {})})
                    if team.meta_value("team") is None:
                        value = team.attached_value(src.alias, "SELECT value FROM {src}.meta"
                                                               " WHERE key = 'team'")
                        if value:
                            team.set_meta("team", str(value))
                    merged.append(item)
        finally:
            for alias in aliases:
                team.detach(alias)
    return merged


def _dealt_from(team: Store, alias: str) -> tuple[str | None, bool]:
    """Where an attached annotator's file was dealt from (the project id a split or an
    assign wrote in it) and whether ``assign`` made it (a batch)."""
    batch_of = team.attached_value(alias, "SELECT value FROM {src}.meta WHERE key ="
                                          " 'batch_of'")
    if batch_of:
        return str(batch_of), True
    split_from = team.attached_value(alias, "SELECT value FROM {src}.meta WHERE key ="
                                            " 'split_from'")
    return (str(split_from) if split_from else None), False


def _check_set_file(team: Store, src: _Source, files: dict[str, dict[str, Any]],
                    plans: list[_Source]) -> None:
    """Refuse a file that cannot go into its set: the same file twice, a file merged
    before as another set, or a second file of a set that is not a later batch of it
    (made by ``assign`` from the team project, or from the project the set's files came
    from)."""
    path, name = src.path, src.name
    twice = next((p for p in plans if p.project_id == src.project_id), None)
    if twice is not None:
        raise TeamError(f"{path}: the same annotator's file as {twice.path} (set {name}); "
                        "nothing was merged")
    if src.record is not None:
        if src.record["set"] != name:
            raise TeamError(f"{path}: merged before as set {src.record['set']}, not {name};"
                            " nothing was merged")
        return
    others = [f for f in files.values() if f["set"] == name]
    others += [{"set": p.name, "path": str(p.path), "origin": p.origin}
               for p in plans if p.name == name]
    if not others:
        return
    origins = {o["origin"] for o in others if o.get("origin")} | {team.project_id}
    if src.batch and src.origin in origins:
        return  # a later batch of the same annotator
    hint = ("a later batch for the same annotator comes from `annotator assign "
            f"{shlex.quote(str(team.path))} --annotators {shlex.quote(name)} ...`, which "
            "merges into the same set" if not src.batch else
            "this batch was dealt from another project than the set's files")
    raise TeamError(
        f"{path}: set {name} was merged from another file ({others[0]['path']}); two files "
        f"are one annotator's set only when they are batches of the same team ({hint}); "
        f"nothing was merged (or give this one another name: "
        f"{shlex.quote(str(path))}=NAME)")


def _check_source(team: Store, alias: str, path: Path, version: int,
                  override: str | None) -> tuple[str, str]:
    """The set name and project id of an attached annotator's file, or why it cannot be
    merged."""
    if version > SCHEMA_VERSION:
        raise TeamError(f"{path}: made by a newer Annotator (schema {version}, this one "
                        f"reads up to {SCHEMA_VERSION}); nothing was merged")
    if version < SCHEMA_VERSION:
        raise TeamError(f"{path}: made by an older Annotator (schema {version}); open it "
                        "once with this one (it is migrated, with a backup) and merge "
                        "again; nothing was merged")
    if team.attached_value(alias, "SELECT 1 FROM {src}.annotation_sets LIMIT 1"):
        raise TeamError(f"{path}: a team project (it holds annotators' sets), not an "
                        "annotator's file; nothing was merged")
    project_id = str(team.attached_value(
        alias, "SELECT value FROM {src}.meta WHERE key = 'project_id'") or "")
    name = override or team.attached_value(
        alias, "SELECT value FROM {src}.meta WHERE key = 'annotator'")
    if not name:
        who = team.attached_annotators(alias)
        if len(who) != 1:
            raise TeamError(
                f"{path}: cannot tell whose file it is (decisions by "
                f"{', '.join(who) or 'nobody'}); name its set: {shlex.quote(str(path))}=NAME;"
                " nothing was "
                "merged")
        name = who[0]
    reason = check_set_name(name)
    if reason:
        raise TeamError(f"{path}: set name {name!r}: {reason}; nothing was merged")
    # names from someone's file reach CoNLL lines, XML, shell suggestions: the label rule
    for label in team.attached_labels(alias):
        reason = check_label_name(label)
        if reason:
            raise TeamError(f"{path}: label {label!r}: {reason}; nothing was merged")
    return str(name), project_id


def _scheme_difference(theirs: list[tuple[str, str]], ours: list[tuple[str, str]]) -> str:
    extra = sorted(f"{n} ({layer})" for n, layer in set(theirs) - set(ours))
    missing = sorted(f"{n} ({layer})" for n, layer in set(ours) - set(theirs))
    parts = []
    if extra:
        parts.append(f"it has {', '.join(extra)}")
    if missing:
        parts.append(f"it lacks {', '.join(missing)}")
    return "; ".join(parts)


# --- review --------------------------------------------------------------------------


def normalise(text: str | None) -> str | None:
    """Free text compared as annotators mean it: spaces collapsed, any case."""
    if text is None:
        return None
    folded = " ".join(text.split()).casefold()
    return folded or None


def claimant_text(span: Span, text: str, by_id: dict[int, Span]) -> str | None:
    """A claim's claimant as text: the linked entity's words, or the free text."""
    claim = span.claim
    if claim is None:
        return None
    if claim.claimant_span_id is not None:
        target = by_id.get(claim.claimant_span_id)
        if target is not None:
            return text[target.start:target.end]
    return claim.claimant_text


@dataclass(frozen=True)
class Version:
    """One annotator's (or several agreeing annotators') version of a span: where, which
    label and, for a claim, which attributes; ``owners``: whose version it is;
    ``claimant``: the claimant entity's offsets when linked (else ``None``). A document
    label's version (review rules, issue 25) has the layer ``doc``, no offsets, its
    label and ``(category,)`` as attributes."""

    layer: LabelLayer
    start: int
    end: int
    label: str
    attributes: tuple[Any, ...]
    owners: tuple[str, ...]
    claim: Claim | None = None
    claimant: tuple[int, int] | None = None
    claimant_words: str | None = None

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.layer, self.start, self.end, self.label, self.attributes)

    def overlaps(self, other: Version) -> bool:
        return self.layer == other.layer and self.start < other.end and other.start < self.end


def version_key(span: Span, text: str, by_id: dict[int, Span]) -> tuple[Any, ...]:
    """What makes two spans the same version: layer, offsets, label and, for a claim,
    its type, claimant (as words), via, check-worthiness and hedge."""
    attributes: tuple[Any, ...] = ()
    if span.layer == "claim":
        c = span.claim or Claim()
        attributes = (c.claim_type, normalise(claimant_text(span, text, by_id)),
                      normalise(c.via), c.checkworthy, bool(c.hedged))
    return (span.layer, span.start, span.end, span.label, attributes)


@dataclass
class ReviewState:
    """A document as review sees it: the annotators who marked it done (``sets``), the
    versions all of them share (``agreed``), the others in groups of overlapping
    versions (``groups``, each a disagreement), and the keys of the gold set's accepted
    spans (``in_gold``)."""

    doc_id: int
    sets: list[str]
    agreed: list[Version]
    groups: list[list[Version]]
    in_gold: set[tuple[Any, ...]]
    reviewed: bool

    @property
    def versions(self) -> list[Version]:
        return [v for group in self.groups for v in group]


def review_state(store: Store, doc_id: int) -> ReviewState:
    """What review shows of a document (see :class:`ReviewState`)."""
    doc = store.get_document(doc_id)
    if doc is None:
        raise TeamError(f"no document {doc_id}")
    sets = [name for name, status in store.document_sets(doc_id).items() if status == "done"]
    spans = [s for s in store.spans(doc_id, annotation_set=None) if s.decision == "accepted"]
    by_id = {s.id: s for s in spans if s.id is not None}
    found: dict[tuple[Any, ...], list[Span]] = {}
    in_gold: set[tuple[Any, ...]] = set()
    for span in spans:
        key = version_key(span, doc.text, by_id)
        if span.annotation_set == "":
            in_gold.add(key)
        elif span.annotation_set in sets:
            found.setdefault(key, []).append(span)
    versions = []
    for key, owned in found.items():
        first = owned[0]
        target = by_id.get(first.claim.claimant_span_id) \
            if first.claim is not None and first.claim.claimant_span_id else None
        versions.append(Version(
            key[0], key[1], key[2], key[3], key[4],
            tuple(sorted({s.annotation_set for s in owned})), first.claim,
            (target.start, target.end) if target is not None else None,
            claimant_text(first, doc.text, by_id)))
    versions.sort(key=lambda v: (v.layer != "entity", v.start, -v.end, v.label, v.owners))
    agreed = [v for v in versions if len(v.owners) == len(sets)] if len(sets) > 1 else []
    rest = [v for v in versions if v not in agreed]
    return ReviewState(doc_id, sets, agreed, _groups(rest), in_gold, doc.status == "done")


def _groups(versions: list[Version]) -> list[list[Version]]:
    """Versions in groups of overlapping ones (connected by overlap), in text order."""
    groups: list[list[Version]] = []
    for version in versions:
        joined = [g for g in groups if any(v.overlaps(version) for v in g)]
        merged = [version]
        for g in joined:
            merged = g + merged
            groups.remove(g)
        groups.append(sorted(merged, key=lambda v: (v.start, -v.end, v.label, v.owners)))
    return sorted(groups, key=lambda g: (g[0].layer != "entity", g[0].start))


def gold_claim(store: Store, doc_id: int, version: Version) -> Claim | None:
    """The claim attributes a version brings into the gold set: its claimant linked to
    the gold entity at the same offsets where there is one, else as free text."""
    if version.layer != "claim":
        return None
    claim = Claim(**(version.claim.as_dict() if version.claim else {}))
    claim.hedged = bool(claim.hedged)
    claim.claimant_span_id = None
    if version.claimant is not None:
        start, end = version.claimant
        target = next((s for s in store.spans(doc_id, layer="entity",
                                              decisions=("accepted",))
                       if (s.start, s.end) == (start, end)), None)
        if target is not None:
            claim.claimant_span_id, claim.claimant_text = target.id, None
        else:
            claim.claimant_text = version.claimant_words
    return claim


def in_the_way(store: Store, doc_id: int, version: Version, group: list[Version]) -> list[int]:
    """Gold spans that taking ``version`` replaces: those that are another version of its
    group, and for an entity the gold entities it would overlap (entities do not
    overlap)."""
    doc = store.get_document(doc_id)
    assert doc is not None
    gold = store.spans(doc_id)
    by_id = {s.id: s for s in gold if s.id is not None}
    others = {v.key for v in group if v.key != version.key}
    out = []
    for span in gold:
        if span.id is None or span.decision == "rejected":
            continue
        blocks = version.layer == "entity" and span.layer == "entity" \
            and span.decision == "accepted" and span.overlaps(version.start, version.end)
        if blocks or version_key(span, doc.text, by_id) in others:
            out.append(span.id)
    return out


def describe_version(version: Version, text: str) -> str:
    """One line: label, the words, claim attributes that matter, whose."""
    words = " ".join(text[version.start:version.end].split())
    if len(words) > 60:
        words = words[:57] + "…"
    extra = ""
    if version.layer == "doc":
        return f"{version.label} — {', '.join(version.owners)}"
    if version.layer == "claim" and version.claim is not None:
        c = version.claim
        bits = [b for b in (c.claim_type, f"by {version.claimant_words}"
                            if version.claimant_words else None,
                            f"check-worthy {c.checkworthy}" if c.checkworthy else None,
                            "hedged" if c.hedged else None) if b]
        extra = f" [{', '.join(bits)}]" if bits else ""
    return f"{version.label} “{words}”{extra} — {', '.join(version.owners)}"


# --- review by rule (``annotator review``) ---------------------------------------------
#
# The window's review takes versions into gold one key at a time (ui/review.py); these
# rules take them for many documents at once, through the same pieces: review_state
# for the versions, in_the_way for what a version replaces, gold_claim for the claim it
# brings, and Session.add / Session.delete on the gold set for the writes (the events
# the window logs), plus one "review" event per document naming the rule.

#: A claim's attributes, as in a version's key (see :func:`version_key`).
CLAIM_KEY_ATTRIBUTES = ("claim_type", "claimant", "via", "checkworthy", "hedged")


@dataclass
class OpenItem:
    """What a rule leaves for a person: the versions at some offsets, whose each is, the
    sets with none there (``missing``) and why the rule cannot decide."""

    doc_id: int
    layer: LabelLayer
    start: int
    end: int
    reason: str
    versions: list[Version]
    missing: list[str]

    def as_dict(self, text: str) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id, "layer": self.layer, "start": self.start,
            "end": self.end, "text": text[self.start:self.end], "reason": self.reason,
            "versions": [{"label": v.label, "start": v.start, "end": v.end,
                          "owners": list(v.owners),
                          **({"claim": dict(zip(CLAIM_KEY_ATTRIBUTES, v.attributes,
                                                strict=True))}
                             if v.layer == "claim" else {})} for v in self.versions],
            "none_from": self.missing,
        }


@dataclass
class DocReview:
    """What a rule does to one document: versions to take into gold (``adopt``), gold
    span ids to remove first (``remove``), what it leaves open, or why it does not apply
    (``skipped``)."""

    doc_id: int
    sets: list[str]
    adopt: list[Version] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)
    open: list[OpenItem] = field(default_factory=list)
    skipped: str | None = None
    #: what the rule does to the document labels (issue 25; conflicts are in ``open``)
    doc_labels: DocLabelPlan = field(default_factory=DocLabelPlan)

    @property
    def settled(self) -> bool:
        """Nothing to take, remove or decide: gold is what the rule says."""
        return not (self.adopt or self.remove or self.open or self.doc_labels.gold) \
            and self.skipped is None


@dataclass
class ReviewRule:
    """``take`` (``name``'s version becomes gold) or ``majority`` (a span in at least
    ``min_sets`` of the sets; ``None``: a strict majority); ``label`` narrows it."""

    kind: str
    name: str | None = None
    min_sets: int | None = None
    label: str | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.kind}
        if self.name is not None:
            out["take"] = self.name
        if self.kind == "majority":
            out["min"] = self.min_sets if self.min_sets is not None else "majority"
        if self.label is not None:
            out["label"] = self.label
        return out

    def whole(self) -> ReviewRule:
        """The rule over every label (whether a document is reviewed is decided on all
        of it, not only on the label a run narrowed to)."""
        return ReviewRule(self.kind, self.name, self.min_sets)


@dataclass
class ReviewResult:
    """What a review run did (or, ``dry_run``, would do)."""

    project: Path
    rule: ReviewRule
    dry_run: bool = False
    looked_at: int = 0
    reviewed: list[int] = field(default_factory=list)
    adopted: int = 0
    removed: int = 0
    #: document labels taken into gold (issue 25)
    doc_labels: int = 0
    left: dict[int, list[OpenItem]] = field(default_factory=dict)
    left_sets: dict[int, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[int]] = field(default_factory=dict)

    @property
    def open_items(self) -> list[OpenItem]:
        return [item for items in self.left.values() for item in items]

    def summary(self) -> str:
        import shlex

        rule = self.rule
        how = (f"--take {rule.name}" if rule.kind == "take" else
               f"--majority (a span in at least {rule.min_sets} of the sets)"
               if rule.min_sets is not None else "--majority (a span in most of the sets)")
        if rule.label is not None:
            how += f", label {rule.label} only"
        verb = "would review" if self.dry_run else "reviewed"
        lines = [f"review {how}: {self.looked_at} document(s) looked at; {verb} "
                 f"{len(self.reviewed)}, {self.adopted} span(s) taken into gold"
                 + (f", {self.removed} gold span(s) replaced" if self.removed else "")
                 + (f", {self.doc_labels} document label(s) taken into gold"
                    if self.doc_labels else "")]
        if self.left:
            project = shlex.quote(str(self.project))
            lines.append(f"  left to review: {len(self.left)} document(s), "
                         f"{len(self.open_items)} open conflict(s)")
            lines.append(f"    list them: `annotator review {project} --conflicts"
                         + (f" --min {rule.min_sets}" if rule.min_sets is not None else "")
                         + (f" --label {shlex.quote(rule.label)}" if rule.label else "")
                         + f" --docs {','.join(map(str, sorted(self.left)))}`")
            counts: dict[str, list[int]] = {}
            for doc_id, names in self.left_sets.items():
                for name in names:
                    counts.setdefault(name, []).append(doc_id)
            if counts:
                name, docs = max(counts.items(), key=lambda kv: (len(kv[1]), kv[0] == ""))
                lines.append(f"    settle them in the window (Ctrl+R), or take one "
                             f"annotator's version: `annotator review {project} --take "
                             f"{shlex.quote(name)} --docs {','.join(map(str, docs))}`")
        for reason, ids in sorted(self.skipped.items()):
            lines.append(f"  left alone {len(ids)}: {reason}")
        return "\n".join(lines)


def review_candidates(store: Store, rule: ReviewRule, doc_ids: list[int] | None
                      ) -> tuple[list[int], dict[str, list[int]]]:
    """The documents a rule looks at (not reviewed yet: not done in the gold set;
    ``take``: those ``name`` marked done; ``majority``: those two or more annotators
    did), and those of ``doc_ids`` it leaves alone, by reason."""
    skipped: dict[str, list[int]] = {}
    if rule.kind == "take":
        assert rule.name is not None
        pool = set(store.set_documents(rule.name, "done"))
        why_not = f"{rule.name} did not mark them done"
    else:
        pool = set(store.review_document_ids(reviewed=True))
        why_not = "fewer than two annotators marked them done (--take NAME takes one's)"
    if doc_ids is None:
        chosen = sorted(pool)
    else:
        chosen = []
        for doc_id in doc_ids:
            if store.get_document(doc_id) is None:
                raise TeamError(f"no document {doc_id} in {store.path}; nothing was reviewed")
            if doc_id in pool:
                chosen.append(doc_id)
            else:
                skipped.setdefault(why_not, []).append(doc_id)
    out = []
    for doc_id in chosen:
        if (store.document_status(doc_id) or ("",))[0] == "done":
            skipped.setdefault("reviewed already (the window's review, or a rule before; "
                               "open it in the window to change its gold set)",
                               []).append(doc_id)
        else:
            out.append(doc_id)
    return out, skipped


def plan_review(store: Store, doc_id: int, rule: ReviewRule) -> DocReview:
    """What ``rule`` does to a document (nothing is written)."""
    state = review_state(store, doc_id)
    plan = DocReview(doc_id, state.sets)
    versions = [v for v in [*state.agreed, *state.versions]
                if rule.label is None or v.label == rule.label]
    if rule.kind == "take" and rule.name not in state.sets:
        plan.skipped = f"{rule.name} did not mark it done"
        return plan
    if rule.kind == "majority" and len(state.sets) < 2:
        plan.skipped = "fewer than two annotators marked it done"
        return plan
    plan.doc_labels = plan_doc_labels(store, doc_id, state.sets, rule.kind, rule.name,
                                      rule.min_sets, rule.label)
    _plan_spans(store, plan, state, versions, rule)
    plan.open += [OpenItem(doc_id, "doc", 0, 0, c.reason,
                           [Version("doc", 0, 0, value, (c.category,), owners)
                            for value, owners in c.votes.items()], c.missing)
                  for c in plan.doc_labels.conflicts]
    return plan


def _plan_spans(store: Store, plan: DocReview, state: ReviewState, versions: list[Version],
                rule: ReviewRule) -> None:
    """:func:`plan_review` of the spans."""
    doc_id = plan.doc_id
    if rule.kind == "take":
        mine = [v for v in versions if rule.name in v.owners]
        keys = {v.key for v in mine}
        plan.adopt = [v for v in mine if v.key not in state.in_gold]
        doc = store.get_document(doc_id)
        assert doc is not None
        gold = store.spans(doc_id)
        by_id = {s.id: s for s in gold if s.id is not None}
        plan.remove = [s.id for s in gold if s.id is not None and s.decision == "accepted"
                       and (rule.label is None or s.label == rule.label)
                       and version_key(s, doc.text, by_id) not in keys]
        return
    n = len(state.sets)
    most = n // 2 + 1
    k = rule.min_sets if rule.min_sets is not None else most
    gold_at = {key[:4] for key in state.in_gold}
    at: dict[tuple[Any, ...], list[Version]] = {}
    for v in versions:
        at.setdefault(v.key[:4], []).append(v)
    candidates: list[Version] = []
    for pos, found in at.items():
        if pos in gold_at:
            continue  # gold holds it already (the window, or a rule before)
        owners = sorted({o for v in found for o in v.owners})
        missing = [s for s in state.sets if s not in owners]
        if len(owners) >= k:
            chosen, tie = _majority_version(found) if pos[0] == "claim" else (found[0], None)
            if tie is not None:
                plan.open.append(OpenItem(doc_id, pos[0], pos[1], pos[2], tie, found, []))
            else:
                candidates.append(chosen)
        elif n - len(owners) < most:
            plan.open.append(OpenItem(doc_id, pos[0], pos[1], pos[2],
                                      f"in {len(owners)} of {n} sets (the rule needs {k})",
                                      found, missing))
    # Entities do not overlap: two that both pass (a low --min) are a conflict; one that
    # would replace a gold entity leaves the reviewer's decision alone.
    entities = [c for c in candidates if c.layer == "entity"]
    for c in candidates:
        rivals = [d for d in entities if d is not c and d.overlaps(c)] \
            if c.layer == "entity" else []
        if rivals:
            plan.open.append(OpenItem(doc_id, c.layer, c.start, c.end,
                                      "overlapping entities both pass the rule", [c, *rivals],
                                      []))
        elif c.layer == "entity" and in_the_way(store, doc_id, c, [c]):
            plan.open.append(OpenItem(doc_id, c.layer, c.start, c.end,
                                      "the gold set holds an overlapping entity", [c], []))
        else:
            plan.adopt.append(c)
    plan.open = _join_open(plan.open, state.sets)


def _join_open(items: list[OpenItem], sets: list[str]) -> list[OpenItem]:
    """Open items of one layer that overlap as one (ORG by alice and PERSON by bob on the
    same words are one conflict), in text order."""
    joined: list[OpenItem] = []
    for item in sorted(items, key=lambda o: (o.layer != "entity", o.start, -o.end)):
        last = joined[-1] if joined else None
        if last is not None and last.layer == item.layer and item.start < last.end \
                and item.end > last.start:
            last.end = max(last.end, item.end)
            last.versions += [v for v in item.versions if v not in last.versions]
            if item.reason not in last.reason:
                last.reason += f"; {item.reason}"
            owners = {o for v in last.versions for o in v.owners}
            last.missing = [s for s in sets if s not in owners]
        else:
            joined.append(OpenItem(item.doc_id, item.layer, item.start, item.end,
                                   item.reason, list(item.versions), list(item.missing)))
    return joined


def _majority_version(found: list[Version]) -> tuple[Version, str | None]:
    """The versions of one claim (same offsets and label) that differ in attributes: a
    version with each attribute as most of their owners set it, or why not (a tie)."""
    if len(found) == 1:
        return found[0], None
    chosen: list[Any] = []
    sources: list[Version] = []
    for i, name in enumerate(CLAIM_KEY_ATTRIBUTES):
        votes: dict[Any, list[str]] = {}
        first: dict[Any, Version] = {}
        for v in found:
            votes.setdefault(v.attributes[i], []).extend(v.owners)
            first.setdefault(v.attributes[i], v)
        ranked = sorted(votes.items(), key=lambda kv: -len(kv[1]))
        if len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1]):
            return found[0], f"claim {name} tied: " + " / ".join(
                f"{value!r} ({', '.join(sorted(who))})" for value, who in ranked)
        chosen.append(ranked[0][0])
        sources.append(first[ranked[0][0]])
    claim = Claim(**(sources[0].claim.as_dict() if sources[0].claim else {}))
    claim.claim_type = sources[0].claim.claim_type if sources[0].claim else None
    via = sources[2].claim.via if sources[2].claim else None
    checkworthy = sources[3].claim.checkworthy if sources[3].claim else None
    hedged = sources[4].claim.hedged if sources[4].claim else None
    claim.via, claim.checkworthy, claim.hedged = via, checkworthy, hedged
    speaker = sources[1]
    owners = tuple(sorted({o for v in found for o in v.owners}))
    return Version(speaker.layer, speaker.start, speaker.end, speaker.label, tuple(chosen),
                   owners, claim, speaker.claimant, speaker.claimant_words), None


def review(store: Store, rule: ReviewRule, who: str, doc_ids: list[int] | None = None,
           dry_run: bool = False) -> ReviewResult:
    """Apply a review rule (see :class:`ReviewRule`) to the documents not reviewed yet
    (or to ``doc_ids``): take what it decides into the gold set as the window's review
    does, one transaction per document, each with a ``review`` event naming the rule;
    mark a document reviewed (done) when the rule settles all of it, else leave it to
    review (counted, with its open conflicts). ``dry_run``: write nothing, say what would
    happen (``--conflicts``)."""
    from .session import NeedsReviewError, Session, SessionError, StorageError

    if rule.kind not in ("take", "majority"):
        raise TeamError(f"no review rule {rule.kind!r}")
    if rule.kind == "take":
        known = {s["name"] for s in store.annotation_sets()}
        if rule.name not in known:
            raise TeamError(f"no annotator {rule.name!r} in {store.path} (its sets: "
                            f"{', '.join(sorted(known)) or 'none: not a team project'}); "
                            "nothing was reviewed")
    if rule.label is not None and rule.label not in {
            x.name for x in store.label_scheme().labels}:
        raise TeamError(f"no label {rule.label!r} in {store.path}")
    if rule.min_sets is not None and rule.min_sets < 1:
        raise TeamError(f"--min must be 1 or more, not {rule.min_sets}")
    if not dry_run and store.readonly:
        raise TeamError(f"{store.path}: read-only; nothing was reviewed")
    from .store.trust import quick_check

    damage = quick_check(store.conn)
    if damage:  # review writes gold from the sets: never from a damaged file
        raise TeamError(f"{store.path} is damaged ({'; '.join(damage[:2])}); nothing was "
                        f"reviewed (annotator doctor {shlex.quote(str(store.path))} says more)")
    docs, skipped = review_candidates(store, rule, doc_ids)
    result = ReviewResult(store.path, rule, dry_run, len(docs), skipped=skipped)
    session = Session(store, who)
    for doc_id in docs:
        plan = plan_review(store, doc_id, rule)
        if plan.skipped is not None:
            result.skipped.setdefault(plan.skipped, []).append(doc_id)
            continue
        if dry_run:
            result.adopted += len(plan.adopt)
            result.removed += len(plan.remove)
            result.doc_labels += plan.doc_labels.adds
            whole = plan if rule.label is None else plan_review(store, doc_id, rule.whole())
            if plan.open:  # with --label, that label's conflicts
                result.left[doc_id] = plan.open
                result.left_sets[doc_id] = plan.sets
            elif not whole.open and not (rule.label is not None and whole.adopt):
                result.reviewed.append(doc_id)
            continue
        try:
            with store.write():
                added, removed = _apply(store, session, plan)
                taken = apply_doc_labels(store, doc_id, plan.doc_labels, who)
                after = plan_review(store, doc_id, rule.whole())
                if after.settled:
                    session.set_status(doc_id, "done")
                store.log_event("review", who, doc_id, None, None, {
                    **rule.describe(), "spans": added, "removed": removed,
                    **({"doc_labels": taken} if taken else {}),
                    "open": len(after.open), "reviewed": after.settled})
        except NeedsReviewError:
            after = plan_review(store, doc_id, rule.whole())
            after.open.append(OpenItem(doc_id, "entity", 0, 0, "the rule leaves the gold "
                                       "set empty while annotators labelled spans", [], []))
            result.left[doc_id], result.left_sets[doc_id] = after.open, plan.sets
            continue
        except StorageError:
            raise
        except SessionError as exc:  # an overlap the plan did not foresee: a person's call
            result.left[doc_id] = [OpenItem(doc_id, "entity", 0, 0, str(exc), [], [])]
            result.left_sets[doc_id] = plan.sets
            continue
        result.adopted += len(added)
        result.removed += len(removed)
        result.doc_labels += taken
        if after.settled:
            result.reviewed.append(doc_id)
        else:
            result.left[doc_id] = after.open or [OpenItem(
                doc_id, "entity", 0, 0, "labels outside --label not reviewed yet", [], [])]
            result.left_sets[doc_id] = plan.sets
    return result


def _apply(store: Store, session: Any, plan: DocReview) -> tuple[list[int], list[int]]:
    """Take a plan's versions into gold (inside the caller's transaction): what it
    removes first, then entities before claims (a claim's claimant links to the gold
    entity at its offsets), each replacing what is in its way, as the window's G does."""
    removed: list[int] = []
    for span_id in plan.remove:
        if store.get_span(span_id) is not None:
            session.delete(span_id)
            removed.append(span_id)
    added: list[int] = []
    for version in sorted(plan.adopt, key=lambda v: v.layer != "entity"):
        for span_id in in_the_way(store, plan.doc_id, version, [version]):
            if store.get_span(span_id) is not None:
                session.delete(span_id)
                removed.append(span_id)
        change = session.add(plan.doc_id, as_layer(version.layer), version.start,
                             version.end, version.label,
                             gold_claim(store, plan.doc_id, version))
        span = change.span
        if span is not None and span.id is not None:
            added.append(span.id)
    return added, removed
