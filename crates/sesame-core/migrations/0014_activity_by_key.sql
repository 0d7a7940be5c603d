-- A service account's activity reads the events of the keys it holds, each since it came to
-- it (its last transfer): by key, then time.
CREATE INDEX activity_key ON activity(key_id, at);
