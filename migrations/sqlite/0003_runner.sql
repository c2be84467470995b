-- The runner at production grade: every attempt at a job is recorded (who, when, what the mail
-- server answered), and an enrollment whose certificate e-mail was refused for good says so.
CREATE TABLE job_attempts (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    attempt INTEGER NOT NULL,
    holder TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'retry', 'dead')),
    detail TEXT NOT NULL
);
CREATE INDEX job_attempts_job ON job_attempts (job_id, attempt);

ALTER TABLE enrollments ADD COLUMN delivery_error TEXT;

-- Claiming a job whose runner died looks up expired leases by index.
CREATE INDEX jobs_leases ON jobs (state, lease_expires_at);
