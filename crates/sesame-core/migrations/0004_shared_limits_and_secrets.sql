-- The limits against guessing, shared by every node of a PostgreSQL cluster (on SQLite one
-- node keeps them in memory and this table stays empty). One row per limited thing: `kind`
-- says which limit, `key` is a fixed-size hash or address (32 hex characters), `a` and `b`
-- are the limit's state and `expires_ms` when it no longer matters. See
-- crates/sesame-core/src/throttle/.
CREATE TABLE throttle_state (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    a           BIGINT NOT NULL,
    b           BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);

-- Secrets the server makes for itself and every node shares: the key that signs device
-- cookies, the one-time setup token while no user exists.
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
