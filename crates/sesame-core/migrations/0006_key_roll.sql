-- Rolling a key with overlap: after a roll `key_hash` is the new secret's hash, and the
-- previous secret's hash keeps working until `previous_valid_until` (Unix milliseconds).
-- Both NULL when there is no overlap. Unique like `key_hash` (NULLs do not collide).
ALTER TABLE api_keys ADD COLUMN previous_key_hash TEXT;
ALTER TABLE api_keys ADD COLUMN previous_valid_until BIGINT;
CREATE UNIQUE INDEX api_keys_previous_key_hash ON api_keys (previous_key_hash);
