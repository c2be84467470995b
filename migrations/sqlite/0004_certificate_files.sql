-- The rendered PDF moves out of the certificates row into a table of its own. SQLite rewrites a
-- whole row on any update and reaches the columns after a large value through its overflow
-- pages, so a 34 KB PDF inside the row made every state change of a certificate (delivery,
-- revocation, expiry) copy it again, and every read of its signature walk past it.
CREATE TABLE certificate_files (
    folio TEXT PRIMARY KEY REFERENCES certificates (folio),
    pdf BLOB NOT NULL
);
INSERT INTO certificate_files (folio, pdf) SELECT folio, pdf FROM certificates WHERE pdf IS NOT NULL;
ALTER TABLE certificates DROP COLUMN pdf;
