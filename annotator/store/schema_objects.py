"""The schema objects of a project at :data:`VERSION`, as this version of Annotator
makes it (``sqlite_master``: kind, table, SQL with whitespace normalised; by lower-case
name), recorded by ``python -m tools.gen_schema`` from
:func:`annotator.store.trust.expected_schema`. Opening a project compares its schema with
these first (:func:`annotator.store.trust.describe_schema`), which spares every command
building the schema in memory; ``tests/store/test_trust.py`` keeps them equal."""

from __future__ import annotations

VERSION = 8

SCHEMA_OBJECTS: dict[str, tuple[str, str, str | None]] = {
    'annotation_sets': ('table', 'annotation_sets', (
        'CREATE TABLE annotation_sets (name TEXT PRIMARY KEY, project_id '
        'TEXT NOT NULL, path TEXT NOT NULL, events_upto INTEGER NOT NULL '
        'DEFAULT 0, merged_at TEXT NOT NULL)'
    )),
    'claims': ('table', 'claims', (
        'CREATE TABLE claims ( span_id INTEGER PRIMARY KEY REFERENCES spa'
        'ns(id) ON DELETE CASCADE, claim_type TEXT, claimant_span_id INTE'
        'GER REFERENCES spans(id) ON DELETE SET NULL, claimant_text TEXT,'
        ' via TEXT, checkworthy TEXT CHECK (checkworthy IS NULL OR checkw'
        "orthy IN ('yes', 'no', 'unsure')), hedged INTEGER )"
    )),
    'count_document': ('trigger', 'documents', (
        'CREATE TRIGGER count_document AFTER INSERT ON documents BEGIN IN'
        'SERT INTO status_counts VALUES (new.status, 1) ON CONFLICT (stat'
        'us) DO UPDATE SET n = n + 1; END'
    )),
    'count_span': ('trigger', 'spans', (
        'CREATE TRIGGER count_span AFTER INSERT ON spans BEGIN INSERT INT'
        'O span_counts VALUES (new.annotation_set, new.layer, new.label, '
        'new.decision, 1) ON CONFLICT (annotation_set, layer, label, deci'
        'sion) DO UPDATE SET n = n + 1; END'
    )),
    'doc_labels': ('table', 'doc_labels', (
        'CREATE TABLE doc_labels (id INTEGER PRIMARY KEY, doc_id INTEGER '
        'NOT NULL REFERENCES documents(id) ON DELETE CASCADE, annotation_'
        "set TEXT NOT NULL DEFAULT '', category TEXT NOT NULL, label TEXT"
        " NOT NULL, origin TEXT NOT NULL CHECK (origin IN ('model', 'huma"
        "n')), decision TEXT NOT NULL CHECK (decision IN ('pending', 'acc"
        "epted', 'rejected')), score REAL, model TEXT, annotator TEXT, cr"
        'eated_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (doc_id'
        ', annotation_set, category, label))'
    )),
    'documents': ('table', 'documents', (
        'CREATE TABLE documents ( id INTEGER PRIMARY KEY, text TEXT NOT N'
        "ULL, meta TEXT NOT NULL DEFAULT '{}', content_hash TEXT NOT NULL"
        " UNIQUE, status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('n"
        "ew', 'in_progress', 'done', 'skipped', 'flagged')), note TEXT, c"
        'reated_at TEXT NOT NULL, updated_at TEXT NOT NULL , title TEXT N'
        "OT NULL DEFAULT '')"
    )),
    'documents_fts': ('table', 'documents_fts', (
        'CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, conte'
        "nt='documents', content_rowid='id', tokenize='unicode61 remove_d"
        "iacritics 2')"
    )),
    'documents_fts_config': ('table', 'documents_fts_config', (
        "CREATE TABLE 'documents_fts_config'(k PRIMARY KEY, v) WITHOUT RO"
        'WID'
    )),
    'documents_fts_data': ('table', 'documents_fts_data', (
        "CREATE TABLE 'documents_fts_data'(id INTEGER PRIMARY KEY, block "
        'BLOB)'
    )),
    'documents_fts_docsize': ('table', 'documents_fts_docsize', (
        "CREATE TABLE 'documents_fts_docsize'(id INTEGER PRIMARY KEY, sz "
        'BLOB)'
    )),
    'documents_fts_idx': ('table', 'documents_fts_idx', (
        "CREATE TABLE 'documents_fts_idx'(segid, term, pgno, PRIMARY KEY("
        'segid, term)) WITHOUT ROWID'
    )),
    'events': ('table', 'events', (
        'CREATE TABLE events ( id INTEGER PRIMARY KEY, ts TEXT NOT NULL, '
        'annotator TEXT, action TEXT NOT NULL, doc_id INTEGER, span_id IN'
        'TEGER, before TEXT, after TEXT , annotation_set TEXT NOT NULL DE'
        "FAULT '')"
    )),
    'idx_doc_labels_label': ('index', 'doc_labels', (
        'CREATE INDEX idx_doc_labels_label ON doc_labels(category, label,'
        ' annotation_set, decision)'
    )),
    'idx_documents_status': ('index', 'documents', (
        'CREATE INDEX idx_documents_status ON documents(status, id)'
    )),
    'idx_events_doc': ('index', 'events', (
        'CREATE INDEX idx_events_doc ON events(doc_id)'
    )),
    'idx_set_documents_set': ('index', 'set_documents', (
        'CREATE INDEX idx_set_documents_set ON set_documents(annotation_s'
        'et, status, doc_id)'
    )),
    'idx_spans_doc': ('index', 'spans', (
        'CREATE INDEX idx_spans_doc ON spans(doc_id, annotation_set, laye'
        'r, start)'
    )),
    'idx_spans_doc_decision': ('index', 'spans', (
        'CREATE INDEX idx_spans_doc_decision ON spans(doc_id, annotation_'
        'set, decision)'
    )),
    'idx_spans_label': ('index', 'spans', (
        'CREATE INDEX idx_spans_label ON spans(layer, label, decision)'
    )),
    'label_categories': ('table', 'label_categories', (
        'CREATE TABLE label_categories (name TEXT PRIMARY KEY, exclusive '
        'INTEGER NOT NULL, required INTEGER NOT NULL DEFAULT 0, descripti'
        "on TEXT NOT NULL DEFAULT '', position INTEGER NOT NULL)"
    )),
    'label_map': ('table', 'label_map', (
        'CREATE TABLE label_map (model_label TEXT PRIMARY KEY, label TEXT'
        ' NOT NULL)'
    )),
    'labels': ('table', 'labels', (
        'CREATE TABLE labels (name TEXT PRIMARY KEY, layer TEXT NOT NULL '
        "CHECK (layer IN ('entity', 'claim', 'doc')), color TEXT NOT NULL"
        ", key TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAUL"
        "T '', position INTEGER NOT NULL, category TEXT NOT NULL DEFAULT "
        "'')"
    )),
    'meta': ('table', 'meta', 'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)'),
    'recount_document': ('trigger', 'documents', (
        'CREATE TRIGGER recount_document AFTER UPDATE OF status ON docume'
        'nts WHEN old.status IS NOT new.status BEGIN UPDATE status_counts'
        ' SET n = n - 1 WHERE status = old.status; INSERT INTO status_cou'
        'nts VALUES (new.status, 1) ON CONFLICT (status) DO UPDATE SET n '
        '= n + 1; END'
    )),
    'recount_span': ('trigger', 'spans', (
        'CREATE TRIGGER recount_span AFTER UPDATE OF annotation_set, laye'
        'r, label, decision ON spans WHEN old.annotation_set IS NOT new.a'
        'nnotation_set OR old.layer IS NOT new.layer OR old.label IS NOT '
        'new.label OR old.decision IS NOT new.decision BEGIN UPDATE span_'
        'counts SET n = n - 1 WHERE annotation_set = old.annotation_set A'
        'ND layer = old.layer AND label = old.label AND decision = old.de'
        'cision; INSERT INTO span_counts VALUES (new.annotation_set, new.'
        'layer, new.label, new.decision, 1) ON CONFLICT (annotation_set, '
        'layer, label, decision) DO UPDATE SET n = n + 1; END'
    )),
    'set_documents': ('table', 'set_documents', (
        'CREATE TABLE set_documents (doc_id INTEGER NOT NULL REFERENCES d'
        'ocuments(id) ON DELETE CASCADE, annotation_set TEXT NOT NULL, st'
        "atus TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'done"
        "', 'skipped', 'flagged')), note TEXT, updated_at TEXT NOT NULL, "
        'PRIMARY KEY (doc_id, annotation_set)) WITHOUT ROWID'
    )),
    'span_counts': ('table', 'span_counts', (
        'CREATE TABLE span_counts (annotation_set TEXT NOT NULL, layer TE'
        'XT NOT NULL, label TEXT NOT NULL, decision TEXT NOT NULL, n INTE'
        'GER NOT NULL, PRIMARY KEY (annotation_set, layer, label, decisio'
        'n)) WITHOUT ROWID'
    )),
    'spans': ('table', 'spans', (
        'CREATE TABLE spans ( id INTEGER PRIMARY KEY, doc_id INTEGER NOT '
        'NULL REFERENCES documents(id) ON DELETE CASCADE, layer TEXT NOT '
        "NULL CHECK (layer IN ('entity', 'claim')), start INTEGER NOT NUL"
        'L, "end" INTEGER NOT NULL, label TEXT NOT NULL, origin TEXT NOT '
        "NULL CHECK (origin IN ('model', 'human')), decision TEXT NOT NUL"
        "L CHECK (decision IN ('pending', 'accepted', 'rejected')), score"
        ' REAL, model TEXT, annotator TEXT, created_at TEXT NOT NULL, upd'
        "ated_at TEXT NOT NULL, cues TEXT NOT NULL DEFAULT '[]', annotati"
        'on_set TEXT NOT NULL DEFAULT \'\', CHECK (0 <= start AND start < "'
        'end") )'
    )),
    'sqlite_autoindex_annotation_sets_1': ('index', 'annotation_sets', None),
    'sqlite_autoindex_doc_labels_1': ('index', 'doc_labels', None),
    'sqlite_autoindex_documents_1': ('index', 'documents', None),
    'sqlite_autoindex_label_categories_1': ('index', 'label_categories', None),
    'sqlite_autoindex_label_map_1': ('index', 'label_map', None),
    'sqlite_autoindex_labels_1': ('index', 'labels', None),
    'sqlite_autoindex_meta_1': ('index', 'meta', None),
    'status_counts': ('table', 'status_counts', (
        'CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER N'
        'OT NULL) WITHOUT ROWID'
    )),
    'tokens': ('table', 'tokens', (
        'CREATE TABLE tokens (doc_id INTEGER PRIMARY KEY REFERENCES docum'
        'ents(id) ON DELETE CASCADE, tokenizer TEXT NOT NULL, starts BLOB'
        ' NOT NULL, json BLOB NOT NULL)'
    )),
    'uncount_document': ('trigger', 'documents', (
        'CREATE TRIGGER uncount_document AFTER DELETE ON documents BEGIN '
        'UPDATE status_counts SET n = n - 1 WHERE status = old.status; EN'
        'D'
    )),
    'uncount_span': ('trigger', 'spans', (
        'CREATE TRIGGER uncount_span AFTER DELETE ON spans BEGIN UPDATE s'
        'pan_counts SET n = n - 1 WHERE annotation_set = old.annotation_s'
        'et AND layer = old.layer AND label = old.label AND decision = ol'
        'd.decision; END'
    )),
}
