-- What happened: who did what to which key or user, from where. Kept for the console's
-- Activity list and GET /api/v1/activity; never holds a secret.
CREATE TABLE activity (
    id                TEXT PRIMARY KEY,
    organization_id   TEXT NOT NULL REFERENCES organizations(id),
    at                BIGINT NOT NULL,
    event             TEXT NOT NULL,
    actor_id          TEXT,
    actor_username    TEXT,
    subject_id        TEXT,
    subject_username  TEXT,
    key_id            TEXT,
    key_name          TEXT,
    ip                TEXT,
    user_agent        TEXT,
    detail            TEXT
);
CREATE INDEX activity_organization ON activity(organization_id, at);
CREATE INDEX activity_actor ON activity(actor_id, at);
CREATE INDEX activity_subject ON activity(subject_id, at);

-- Sessions get an id that can be shown and used to end one (never the token or its hash).
-- Sessions from before this version have none: they are ended, people log in again.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_public_id ON sessions(public_id);
