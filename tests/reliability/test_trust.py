"""Files from others are checked before they are trusted (issue 29): one hostile file per
attack, each refused on open and on merge with a message that names what was found,
before anything is read into a project or written to one, and listed by
``annotator doctor``. Timings are in ``bench/trust.py``, not here."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.store import Store, StoreError
from annotator.teams import TeamError, merge, split
from tests.reliability.test_database import build_version
from tests.test_teams import annotate, make_project

TEXTS = [f"Article {i}: Ali Hassan told Reuters in Baghdad that {i} people left the city "
         f"of Mosul on {i % 28 + 1} March, officials said. " * 2 for i in range(1, 241)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """alice.db (every suggestion accepted, documents done) and bob.db (untouched), as
    split wrote them; a team project with alice merged."""
    folder = tmp_path_factory.mktemp("trust")
    source = make_project(folder / "news.db", TEXTS)
    with Store(source) as store:
        split(store, ["alice", "bob"], folder / "out", overlap=0.4, seed=3)
    annotate(folder / "out" / "alice.db", "alice")
    return {"alice": folder / "out" / "alice.db", "bob": folder / "out" / "bob.db"}


def _sql(*statements: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        for statement in statements:
            conn.execute(statement)
        conn.close()
    return apply


def _version_lie(path: Path) -> None:
    """A real schema-5 file that says it is at 6 (and carries our application id)."""
    path.unlink()
    build_version(path, 5, docs=5)
    _sql("UPDATE meta SET value = '6' WHERE key = 'schema_version'",
         "INSERT OR REPLACE INTO meta VALUES ('annotator', 'carol')",
         "PRAGMA application_id = 1095650895")(path)


def _damaged_page(path: Path) -> None:
    """40 bytes overwritten at the start of a leaf page of the spans table."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    page = conn.execute("SELECT pageno FROM dbstat WHERE name = 'spans' AND"
                        " pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 2").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:  # no connection of this process has it open
        fh.seek((page - 1) * size)
        fh.write(bytes(range(200, 240)))


def _claims_2gb(path: Path) -> None:
    """The header's database size set to 524,288 pages of 4 KiB (2 GiB)."""
    _sql("PRAGMA journal_mode = DELETE")(path)
    with path.open("r+b") as fh:
        fh.seek(28)
        fh.write((524_288).to_bytes(4, "big"))


RECURSIVE_VIEW = (
    "CREATE VIEW labels AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
    " SELECT 'L' || n AS name, 'entity' AS layer, '#000000' AS color, '' AS key,"
    " '' AS description, n AS position FROM r")

#: attack -> (how the file is made, what the refusal says)
ATTACKS: dict[str, tuple[Callable[[Path], None], str]] = {
    "trigger": (_sql("CREATE TRIGGER evil AFTER INSERT ON events BEGIN DELETE FROM spans"
                     " WHERE id % 2 = 0; END"), "an extra trigger evil on events"),
    "view": (_sql("PRAGMA legacy_alter_table = ON", "ALTER TABLE spans RENAME TO spans_kept",
                  "CREATE VIEW spans AS SELECT * FROM spans_kept WHERE id % 2 = 1"),
             "a view spans in place of the table"),
    "recursive_view": (_sql("ALTER TABLE labels RENAME TO labels_kept", RECURSIVE_VIEW),
                       "a view labels in place of the table"),
    "extra_table": (_sql("CREATE TABLE notes (x TEXT)"), "an extra table notes"),
    "expression_index": (_sql("CREATE INDEX evil_len ON documents(length(text) * 2)"),
                         "an extra index evil_len on documents"),
    "changed_column": (_sql("ALTER TABLE spans ADD COLUMN note TEXT DEFAULT 'x'"),
                       "table spans is not as Annotator makes it"),
    "version_lie": (_version_lie, "says schema 6 but holds the tables of schema 5"),
    "claims_2gb": (_claims_2gb, "claims 524,288 pages"),
}


def _hostile(files: dict[str, Path], tmp_path: Path, attack: str, who: str = "alice"
             ) -> Path:
    bad = tmp_path / f"{who}-{attack}.db"
    shutil.copyfile(files[who], bad)
    make = {**ATTACKS, "damaged": (_damaged_page, "")}[attack][0]
    make(bad)
    return bad


# --- open ----------------------------------------------------------------------------


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_trust_open_refuses_the_file_unchanged(files, tmp_path: Path, attack: str) -> None:
    bad = _hostile(files, tmp_path, attack)
    before = bad.read_bytes()
    # before the fix: opened (and hung on the labels view)
    with pytest.raises(StoreError, match=ATTACKS[attack][1]), Store(bad) as store:
        store.label_scheme()
        store.stats()
    assert bad.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.name]


def test_trust_the_trigger_that_deleted_spans_never_runs(files, tmp_path: Path) -> None:
    """The issue's case: a trigger on events, then `accept --label PERSON` (which logs
    events): 38 of 76 spans were gone. Refused in one line now, no span lost."""
    bad = _hostile(files, tmp_path, "trigger", who="bob")
    count = "SELECT count(*) FROM spans"
    conn = sqlite3.connect(bad)
    spans = conn.execute(count).fetchone()[0]
    conn.close()
    result = CliRunner().invoke(main, ["accept", "--label", "PERSON", "--db", str(bad)])
    assert result.exit_code == 1, result.output
    assert "an extra trigger evil on events" in result.output
    assert len(result.output.strip().splitlines()) == 1
    conn = sqlite3.connect(bad)
    assert conn.execute(count).fetchone()[0] == spans
    conn.close()


def test_trust_damaged_file_reads_end_in_one_line(files, tmp_path: Path) -> None:
    """quick_check is not run at every open (it reads the whole file): a damaged page
    met by a command ends in one line naming the damage, not a traceback."""
    bad = _hostile(files, tmp_path, "damaged")
    result = CliRunner().invoke(main, ["export", "--format", "jsonl", "--status", "any",
                                       "--out", str(tmp_path / "e.jsonl"), "--db", str(bad)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "damaged" in result.output and "malformed" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- merge ---------------------------------------------------------------------------


MERGE_MESSAGES = {**{k: v[1] for k, v in ATTACKS.items()}, "damaged": "damaged"}


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("attack", MERGE_MESSAGES)
def test_trust_merge_refuses_the_file_and_merges_nothing(files, tmp_path: Path,
                                                          attack: str) -> None:
    bad = _hostile(files, tmp_path, attack)
    team = tmp_path / "team.db"
    merge(team, [(files["bob"], None)], "lead")
    conn = sqlite3.connect(team)
    before = list(conn.iterdump())
    conn.close()
    with pytest.raises(TeamError, match=MERGE_MESSAGES[attack]) as refused:
        merge(team, [(bad, "carol")], "lead")
    assert "nothing was merged" in str(refused.value)
    conn = sqlite3.connect(team)
    assert list(conn.iterdump()) == before
    conn.close()


def test_trust_merge_of_a_damaged_file_is_one_line_exit_1(files, tmp_path: Path) -> None:
    """Issue 21 item 10: before, damage in one page merged spans without a word or
    ended in a traceback ("database disk image is malformed")."""
    bad = _hostile(files, tmp_path, "damaged")
    result = CliRunner().invoke(main, ["merge", f"{bad}=carol", "--into",
                                       str(tmp_path / "team.db")])
    assert result.exit_code == 1
    assert not isinstance(result.exception, sqlite3.Error)
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "damaged" in line and str(bad) in line
    assert not (tmp_path / "team.db").exists()


# --- header and caps -----------------------------------------------------------------


def test_trust_page_size_we_dont_make_is_refused_unless_allowed(files, tmp_path: Path,
                                                                monkeypatch) -> None:
    bad = tmp_path / "big-pages.db"
    shutil.copyfile(files["alice"], bad)
    _sql("PRAGMA journal_mode = DELETE", "PRAGMA page_size = 65536", "VACUUM")(bad)
    with pytest.raises(StoreError, match="page size of 65536 bytes.*ANNOTATOR_PAGE_SIZES"):
        Store(bad)
    with pytest.raises(TeamError, match="page size of 65536"):
        merge(tmp_path / "team.db", [(bad, None)], "lead")
    monkeypatch.setenv("ANNOTATOR_PAGE_SIZES", "65536")
    with Store(bad) as store:
        assert store.count_documents() > 0


def test_trust_utf16_file_is_refused(files, tmp_path: Path) -> None:
    bad = tmp_path / "utf16.db"
    conn = sqlite3.connect(bad)
    conn.execute("PRAGMA encoding = 'UTF-16le'")
    conn.execute("CREATE TABLE x (y)")  # the encoding is the file's from here on
    conn.execute("DROP TABLE x")
    conn.close()
    build_version(bad, 6)
    _sql(f"PRAGMA application_id = {0x414E4E4F}")(bad)
    with pytest.raises(StoreError, match="UTF-16le"):
        Store(bad)
    with pytest.raises(TeamError, match="UTF-16le|not encoded as UTF-8"):
        merge(tmp_path / "team.db", [(bad, None)], "lead")


def test_trust_caps_on_text_and_spans_per_document(files, tmp_path: Path,
                                                   monkeypatch) -> None:
    team = tmp_path / "team.db"
    monkeypatch.setenv("ANNOTATOR_MAX_TEXT_CHARS", "100")
    with pytest.raises(TeamError, match=r"characters, over the cap of 100 \("
                                        "ANNOTATOR_MAX_TEXT_CHARS raises it"):
        merge(team, [(files["alice"], None)], "lead")
    monkeypatch.delenv("ANNOTATOR_MAX_TEXT_CHARS")
    monkeypatch.setenv("ANNOTATOR_MAX_SPANS_PER_DOCUMENT", "2")
    with pytest.raises(TeamError, match="3 spans, over the cap of 2"):
        merge(team, [(files["alice"], None)], "lead")
    assert not team.exists()
    monkeypatch.delenv("ANNOTATOR_MAX_SPANS_PER_DOCUMENT")
    assert merge(team, [(files["alice"], None)], "lead").files[0].counts["spans"] > 0


def test_trust_import_applies_the_text_cap(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "short one"}\n{"text": "' + "long " * 40 + '"}\n',
                      encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_MAX_TEXT_CHARS", "100")
    result = CliRunner().invoke(main, ["import", str(source), "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 1
    assert f"{source}:2: " in result.output and "ANNOTATOR_MAX_TEXT_CHARS" in result.output
    with Store(tmp_path / "p.db") as store:
        assert store.count_documents() == 0  # nothing half-imported


# --- doctor --------------------------------------------------------------------------


DOCTOR_SAYS = {**MERGE_MESSAGES, "damaged": "damaged: "}


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("attack", DOCTOR_SAYS)
def test_trust_doctor_lists_what_is_wrong(files, tmp_path: Path, attack: str) -> None:
    bad = _hostile(files, tmp_path, attack)
    before = bad.read_bytes()
    result = CliRunner().invoke(main, ["doctor", str(bad)])
    assert result.exit_code == 1, result.output
    assert DOCTOR_SAYS[attack] in result.output
    assert bad.read_bytes() == before


def test_trust_doctor_says_ok_for_our_files(files) -> None:
    result = CliRunner().invoke(main, ["doctor", str(files["alice"]), str(files["bob"])])
    assert result.exit_code == 0, result.output
    assert result.output.count("  ok: the schema is Annotator's") == 2


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("attack", ["trigger", "view", "recursive_view", "extra_table",
                                    "expression_index", "version_lie"])
def test_trust_doctor_repair_writes_a_clean_copy(files, tmp_path: Path, attack: str) -> None:
    bad = _hostile(files, tmp_path, attack)
    before = bad.read_bytes()
    out = tmp_path / "fixed.db"
    result = CliRunner().invoke(main, ["doctor", str(bad), "--repair", "--out", str(out)])
    assert result.exit_code == 1 and "repaired copy" in result.output, result.output
    assert bad.read_bytes() == before  # the original is the backup
    checked = CliRunner().invoke(main, ["doctor", str(out)])
    assert checked.exit_code == 0, checked.output
    with Store(out) as store:
        assert store.count_documents() > 0
    if attack == "trigger":
        conn = sqlite3.connect(out)
        assert conn.execute("SELECT count(*) FROM spans").fetchone()[0] == \
            sqlite3.connect(bad).execute("SELECT count(*) FROM spans").fetchone()[0]
        conn.close()


def test_trust_doctor_does_not_repair_damage(files, tmp_path: Path) -> None:
    bad = _hostile(files, tmp_path, "damaged")
    result = CliRunner().invoke(main, ["doctor", str(bad), "--repair"])
    assert result.exit_code == 1 and "cannot be repaired here" in result.output
    assert not (tmp_path / f"{bad.stem}.repaired.db").exists()


# --- every connection --------------------------------------------------------------


def test_trust_every_connection_runs_untrusted_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        assert store.conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0


def test_trust_split_writes_only_our_schema(files, tmp_path: Path) -> None:
    """Every file split writes is checked (an extra object in the source does not travel:
    the source itself is refused first)."""
    with Store(files["alice"], readonly=True) as store:
        split(store, ["x1", "x2"], tmp_path / "o")
    for name in ("x1", "x2"):
        assert CliRunner().invoke(main, ["doctor", str(tmp_path / "o" / f"{name}.db")]
                                  ).exit_code == 0


# --- names from files ----------------------------------------------------------------


def test_trust_merge_refuses_label_names_that_break_exports(files, tmp_path: Path) -> None:
    """A label with a newline (a CoNLL line of its own) from someone's file is refused by
    the label rule, as import and `labels add` refuse it."""
    bad = tmp_path / "carol.db"
    shutil.copyfile(files["alice"], bad)
    _sql("UPDATE spans SET label = 'PER\nB-ORG' WHERE id = 1")(bad)
    with pytest.raises(TeamError, match=r"label 'PER\\nB-ORG': .*nothing was merged"):
        merge(tmp_path / "team.db", [(bad, "carol")], "lead")


def test_trust_label_studio_config_escapes_label_names() -> None:
    """A label may hold quotes and angle brackets (no spaces): the XML stays XML."""
    import xml.etree.ElementTree as ET

    from annotator.export.labelstudio import label_config

    evil = '"/><Text name="x" value="$meta"/><Label value="'
    root = ET.fromstring(label_config([evil, "PERSON"], ["CLAIM"]))
    assert [e.get("value") for e in root.iter("Label")] == [evil, "PERSON", "CLAIM"]
    assert len(list(root.iter("Text"))) == 1


def test_trust_window_refuses_a_name_that_is_not_plain(tmp_path: Path, capsys) -> None:
    from annotator.gui.app import run

    assert run(["--db", str(tmp_path / "p.db"), "--annotator", "../evil"]) == 1
    assert "--annotator '../evil': a name cannot start with a dot" in capsys.readouterr().err
    assert not (tmp_path / "p.db").exists()


def test_trust_review_of_a_damaged_team_project_is_refused(files, tmp_path: Path) -> None:
    """Integrity before review too: a team project with a damaged page is refused in one
    line before any gold is written from its sets."""
    team = tmp_path / "team.db"
    merge(team, [(files["alice"], None), (files["bob"], None)], "lead")
    _damaged_page(team)
    result = CliRunner().invoke(main, ["review", str(team), "--take", "alice"])
    assert result.exit_code == 1, result.output
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "damaged" in line and "nothing was reviewed" in line
