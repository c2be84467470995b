-- A standard's content hash becomes SHA-256 over its RFC 8785 canonical JSON, which does not
-- depend on the order of fields in the code (before, adding or moving a field changed every
-- hash). The old hash is kept here, since audit events of loads and plans name it; the new one
-- is computed from `body` when the database is opened (`store::rehash_standards`).
ALTER TABLE standards ADD COLUMN legacy_content_hash TEXT;
UPDATE standards SET legacy_content_hash = content_hash;
