-- The last distinct client addresses each key was used from, with first and last use
-- (Unix milliseconds); at most 10 per key, written with the batched last-use writes.
CREATE TABLE api_key_addresses (
    key_id      TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    ip          TEXT NOT NULL,
    first_seen  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    PRIMARY KEY (key_id, ip)
);
