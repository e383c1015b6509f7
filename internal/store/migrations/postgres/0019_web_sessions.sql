-- crmd schema, version 19: sessions of the web workspace beside those of UIS
-- login.user. Both are a user's expiring token kept as a hash; the kind keeps
-- them apart, so that a browser's cookie is not a UIS access_token and a UIS
-- session cannot sign in to the workspace.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'uis';
