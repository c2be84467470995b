-- Signed certificates: the issuer's public keys (old ones kept for verification after a
-- rotation) and, per certificate, the canonical payload, its Ed25519 signature and the key id.
CREATE TABLE issuer_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

ALTER TABLE certificates ADD COLUMN signed_payload TEXT;
ALTER TABLE certificates ADD COLUMN signature TEXT;
ALTER TABLE certificates ADD COLUMN key_id TEXT REFERENCES issuer_keys (key_id);
CREATE INDEX certificates_expires ON certificates (expires_at);
