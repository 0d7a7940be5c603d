-- People are rows of `users` of kind 'user'; a service account is a row of kind
-- 'service_account': it owns keys and has a role (the ceiling of its keys' power), but no
-- password (the empty hash) and no login. Its keys are verified exactly as a person's,
-- through the same join on `users`. Its managers are people of its organization who manage
-- its keys as their own.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'user';
ALTER TABLE users ADD COLUMN description TEXT NOT NULL DEFAULT '';

CREATE TABLE service_account_managers (
    service_account_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_id             TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (service_account_id, user_id)
);
CREATE INDEX service_account_managers_user ON service_account_managers(user_id);
