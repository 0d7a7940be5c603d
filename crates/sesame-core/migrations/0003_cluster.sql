-- Several `sesame serve` nodes on one PostgreSQL (unused on SQLite, where one node owns
-- the file). See crates/sesame-core/src/cluster.rs for the protocol.

-- The live nodes: each renews its heartbeat (database clock, Unix milliseconds) while its
-- notification listener is proven alive, and records the last sync number it has seen.
CREATE TABLE cluster_nodes (
    node_id       TEXT PRIMARY KEY,
    heartbeat_ms  BIGINT NOT NULL,
    synced        BIGINT NOT NULL
);

-- One row: the sync counter. Taking the next number locks the row until commit, so sync
-- notifications are committed, and delivered, in increasing order.
CREATE TABLE cluster_sync (
    id  INTEGER PRIMARY KEY,
    n   BIGINT NOT NULL
);
INSERT INTO cluster_sync (id, n) VALUES (1, 0);
