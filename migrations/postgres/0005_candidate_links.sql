-- A candidate acts through a personal link: a random token, kept here only as its SHA-256, so a
-- copy of the database is not enough to act as a candidate.
CREATE TABLE candidate_links (
    token_sha256 TEXT PRIMARY KEY,
    candidate_id BIGINT NOT NULL REFERENCES candidates (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX candidate_links_candidate ON candidate_links (candidate_id);
