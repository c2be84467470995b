-- avala schema (SQLite). Instants are stored as RFC 3339 text in UTC.
CREATE TABLE standards (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    level INTEGER NOT NULL,
    validity_years INTEGER NOT NULL,
    diagnostic_threshold INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    roles TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE institutions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    identity_kind TEXT NOT NULL CHECK (identity_kind IN ('curp', 'passport')),
    identity TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    position TEXT,
    public_registry BOOLEAN NOT NULL,
    UNIQUE (identity_kind, identity)
);

CREATE TABLE windows (
    id INTEGER PRIMARY KEY,
    standard_code TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    tz TEXT NOT NULL,
    capacity INTEGER,
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE dictamen_batches (
    id INTEGER PRIMARY KEY,
    window_id INTEGER NOT NULL REFERENCES windows (id),
    verifier_id TEXT NOT NULL REFERENCES staff (id),
    procede BOOLEAN NOT NULL,
    issued_at TEXT NOT NULL
);

CREATE TABLE enrollments (
    id INTEGER PRIMARY KEY,
    window_id INTEGER NOT NULL REFERENCES windows (id),
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    registered_at TEXT NOT NULL,
    diagnostic_score INTEGER,
    standard_id INTEGER REFERENCES standards (id),
    evaluator_id TEXT REFERENCES staff (id),
    evaluation_at TEXT,
    verdict TEXT,
    verdict_at TEXT,
    dictamen_batch_id INTEGER REFERENCES dictamen_batches (id),
    dictamen_at TEXT,
    withdrawn_reason TEXT,
    delivered_at TEXT,
    UNIQUE (window_id, candidate_id)
);
CREATE INDEX enrollments_window_state ON enrollments (window_id, state);

CREATE TABLE element_judgements (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    element_code TEXT NOT NULL,
    competent BOOLEAN NOT NULL,
    evidence TEXT,
    feedback TEXT,
    evaluator_id TEXT NOT NULL REFERENCES staff (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (enrollment_id, element_code)
);

CREATE TABLE folio_counters (
    standard_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (standard_code, year)
);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    folio TEXT NOT NULL UNIQUE,
    verification_code TEXT NOT NULL UNIQUE,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    holder_name TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    supersedes_id INTEGER REFERENCES certificates (id),
    superseded_by_id INTEGER REFERENCES certificates (id),
    revoked_reason TEXT,
    revoked_at TEXT,
    pdf BLOB,
    pdf_sha256 TEXT
);
-- Rule 7: one original certificate per enrollment; re-issues point back to what they supersede.
CREATE UNIQUE INDEX certificates_one_per_enrollment ON certificates (enrollment_id) WHERE supersedes_id IS NULL;

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream, seq)
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error TEXT,
    lease_holder TEXT,
    lease_expires_at TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_claimable ON jobs (state, run_at);
