-- The rendered PDF moves out of the certificates row into a table of its own, as on SQLite (where
-- a large value inside a row is copied on every update of the row): one schema for both.
CREATE TABLE certificate_files (
    folio TEXT PRIMARY KEY REFERENCES certificates (folio),
    pdf BYTEA NOT NULL
);
INSERT INTO certificate_files (folio, pdf) SELECT folio, pdf FROM certificates WHERE pdf IS NOT NULL;
ALTER TABLE certificates DROP COLUMN pdf;
