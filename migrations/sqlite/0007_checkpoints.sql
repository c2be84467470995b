-- Events chained by digest (chain version 2): an event's hash is SHA-256(previous hash ‖
-- SHA-256(its RFC 8785 canonical JSON)), so one event's link can be shown without the others'
-- contents. Events recorded before keep version 1 and verify as they were recorded.
ALTER TABLE audit_events ADD COLUMN v INTEGER NOT NULL DEFAULT 1;

-- Signed checkpoints of the audit log (its streams' lengths and heads under one Merkle root,
-- signed with the issuer key). Append-only, as the log is; copies kept outside the database
-- (files, the e-mailed copy) are what still holds if someone deletes these rows.
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    last_event INTEGER NOT NULL,
    streams INTEGER NOT NULL,
    events INTEGER NOT NULL,
    root TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
