"""Teams: split a project among annotators, merge their files back, review to gold.

The team meets through files (DESIGN.md, Annotation sets):

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
import math
import os
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import testhook
from .model import Claim, Span, check_set_name
from .store import SCHEMA_VERSION, Store, StoreError

#: SQLite attaches at most ten databases to one connection, and a merge is one
#: transaction over all its files.
MAX_MERGE_FILES = 10


class TeamError(StoreError):
    """A split or merge that cannot be done; nothing was written."""


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
          force: bool = False) -> SplitResult:
    """Write ``out_dir/NAME.db`` for each annotator (see the module docstring). Each file
    is made under a temporary name and renamed when complete; an existing one is refused
    unless ``force``. The source project is only read."""
    plan = plan_split(store.document_ids(), annotators, overlap, seed, copies)
    out_dir = Path(out_dir)
    targets = {name: out_dir / f"{name}.db" for name in annotators}
    if not force:
        taken = [str(p) for p in targets.values() if p.exists()]
        if taken:
            raise TeamError(f"{', '.join(taken)} already exist(s); nothing was written "
                            "(--force replaces them)")
    out_dir.mkdir(parents=True, exist_ok=True)
    team = team or store.meta_value("team") or store.path.stem
    suggestions = {}
    for name, target in targets.items():
        tmp = out_dir / f".{name}.db.split-tmp"
        _remove_db(tmp)
        try:
            with Store(tmp) as part:
                part.attach(store.path, "src")
                try:
                    with part.write():
                        counts = part.copy_for_split("src", plan.assignments[name])
                        part.set_meta("team", team)
                        part.set_meta("annotator", name)
                        part.set_meta("split_from", store.project_id)
                        part.log_event("split", name, after={
                            "team": team, "annotator": name, "documents": counts["documents"],
                            "seed": seed, "overlap": overlap, "from": str(store.path)})
                finally:
                    part.detach("src")
            suggestions[name] = counts["suggestions"]
            if target.exists():
                _remove_db(target)
            os.replace(tmp, target)
        except BaseException:
            _remove_db(tmp)
            raise
    return SplitResult(plan, targets, suggestions, len(store.document_ids()), overlap)


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


# --- merge ---------------------------------------------------------------------------


@dataclass
class MergedFile:
    path: Path
    name: str
    counts: dict[str, int]
    again: bool  # the file (by project id) was merged before

    @property
    def changed(self) -> bool:
        c = self.counts
        return any(c.get(k, 0) for k in ("documents_added", "spans", "spans_removed",
                                         "events", "statuses"))

    def summary(self) -> str:
        if not self.changed:
            return f"{self.path}: set {self.name}: nothing new (merged before)"
        c = self.counts
        return (f"{self.path}: set {self.name}: {c['documents']} documents "
                f"({c['documents_added']} new to the team), {c['spans']} spans"
                + (f" (replacing {c['spans_removed']})" if c["spans_removed"] else "")
                + f", {c['events']} events" + (" (an update of a file merged before)"
                                               if self.again else ""))


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
    into = Path(into)
    created = not into.exists()
    target = into.with_name(f".{into.name}.merge-tmp") if created else into
    if created:
        _remove_db(target)
    result = MergeResult(into, created=created)
    try:
        with Store(target, create=created) as team:
            result.files = _merge_into(team, sources, who, on_file)
        testhook.step("merge")  # TEST-ONLY: committed, not yet in place
        if created:
            os.replace(target, into)
    except BaseException:
        if created:
            _remove_db(target)
        raise
    return result


def _merge_into(team: Store, sources: list[tuple[Path, str | None]], who: str | None,
                on_file: Callable[[Path], None] | None) -> list[MergedFile]:
    if team.readonly:
        raise TeamError(f"{team.path}: the team project is read-only; nothing was merged")
    aliases: list[str] = []
    plans: list[tuple[Path, str, str, str, dict[str, Any] | None]] = []
    merged: list[MergedFile] = []
    with team.bulk():
        try:
            sets = {s["name"]: s for s in team.annotation_sets()}
            by_project = {s["project_id"]: s["name"] for s in sets.values()}
            seen: dict[str, Path] = {}
            fresh = team.count_documents() == 0 and not sets
            scheme = None if fresh else team.scheme_names()
            for i, (path, override) in enumerate(sources):
                alias = f"src{i}"
                try:
                    version = team.attach(path, alias)
                except StoreError as exc:
                    raise TeamError(f"{exc}; nothing was merged") from exc
                aliases.append(alias)
                name, project_id = _check_source(team, alias, path, version, override)
                if name in seen or project_id in {p[3] for p in plans}:
                    raise TeamError(f"{path}: the same annotator's file as {seen.get(name)}"
                                    f" (set {name}); nothing was merged")
                seen[name] = path
                known = sets.get(name)
                if known is not None and known["project_id"] != project_id:
                    raise TeamError(
                        f"{path}: set {name} was merged from another file ({known['path']});"
                        " two files cannot be one annotator's set; nothing was merged "
                        f"(give this one another name: {path}=NAME)")
                if project_id in by_project and by_project[project_id] != name:
                    raise TeamError(f"{path}: merged before as set {by_project[project_id]},"
                                    f" not {name}; nothing was merged")
                theirs = team.attached_scheme(alias)
                if scheme is None:
                    scheme = theirs
                elif theirs != scheme:
                    raise TeamError(f"{path}: holds another label scheme "
                                    f"({_scheme_difference(theirs, scheme)}); nothing was "
                                    "merged")
                plans.append((path, alias, name, project_id, known))
            with team.write():
                if fresh and plans:
                    team.adopt_scheme(plans[0][1])
                for path, alias, name, project_id, known in plans:
                    if on_file is not None:
                        on_file(path)
                    testhook.step("merge")  # TEST-ONLY: a kill test may stop here
                    counts = team.merge_set(alias, name, known["events_upto"] if known else None)
                    upto = team.attached_value(alias, "SELECT coalesce(max(id), 0) FROM"
                                                      " {src}.events")
                    item = MergedFile(path, name, counts, known is not None)
                    if item.changed or known is None:
                        team.put_annotation_set(name, project_id, str(path.resolve()),
                                                int(upto))
                        team.log_event("merge", who, after={
                            "set": name, "file": str(path), **counts})
                    if team.meta_value("team") is None:
                        value = team.attached_value(alias, "SELECT value FROM {src}.meta"
                                                           " WHERE key = 'team'")
                        if value:
                            team.set_meta("team", str(value))
                    merged.append(item)
        finally:
            for alias in aliases:
                team.detach(alias)
    return merged


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
                f"{', '.join(who) or 'nobody'}); name its set: {path}=NAME; nothing was "
                "merged")
        name = who[0]
    reason = check_set_name(name)
    if reason:
        raise TeamError(f"{path}: set name {name!r}: {reason}; nothing was merged")
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
    ``claimant``: the claimant entity's offsets when linked (else ``None``)."""

    layer: str
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
    if version.layer == "claim" and version.claim is not None:
        c = version.claim
        bits = [b for b in (c.claim_type, f"by {version.claimant_words}"
                            if version.claimant_words else None,
                            f"check-worthy {c.checkworthy}" if c.checkworthy else None,
                            "hedged" if c.hedged else None) if b]
        extra = f" [{', '.join(bits)}]" if bits else ""
    return f"{version.label} “{words}”{extra} — {', '.join(version.owners)}"

