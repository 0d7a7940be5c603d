-- An organization's longest allowed key lifetime, in days (NULL: keys may never expire).
ALTER TABLE organizations ADD COLUMN max_key_lifetime_days BIGINT;

-- The language a user last read the console in ('en', 'fr'; NULL: English): what their
-- e-mails are written in.
ALTER TABLE users ADD COLUMN language TEXT;

-- Reminders that a key expires soon (7 days and 1 day before). The row is the claim: the
-- node whose insert succeeds sends the reminder, so it goes out once however many nodes
-- run. Keyed by the expiry too, so a key whose expiry changes is reminded of the new one.
CREATE TABLE key_expiry_reminders (
    key_id      TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    days_before BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (key_id, days_before, expires_at)
);
