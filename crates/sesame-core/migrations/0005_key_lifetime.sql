-- Keys that can be disabled without being deleted, and keys that expire. `disabled` is 0
-- or 1 like `users.disabled`; `expires_at` is Unix milliseconds, NULL for a key that never
-- expires. Expiry is decided at verification against the clock, never by a job.
ALTER TABLE api_keys ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
-- For the purge of keys expired long ago.
CREATE INDEX api_keys_expires_at ON api_keys (expires_at);
