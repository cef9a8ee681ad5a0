-- Every instance keeps a cache of the sessions behind recent access tokens. Changes that alter
-- what a session authenticates as are announced on the channel qualify_auth after commit, so
-- every instance drops its copy: s:<session id>, u:<user id>, or * (org paths changed).

CREATE FUNCTION qualify_auth_notify() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('qualify_auth', 's:' || OLD.id);
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('qualify_auth', 'u:' || OLD.id);
    ELSIF TG_TABLE_NAME = 'user_roles' THEN
        PERFORM pg_notify('qualify_auth', 'u:' || COALESCE(NEW.user_id, OLD.user_id));
    ELSE
        PERFORM pg_notify('qualify_auth', '*');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sessions_auth_update AFTER UPDATE ON sessions FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION qualify_auth_notify();
CREATE TRIGGER sessions_auth_delete AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION qualify_auth_notify();

CREATE TRIGGER users_auth_update AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.disabled IS DISTINCT FROM NEW.disabled OR OLD.org_id IS DISTINCT FROM NEW.org_id
          OR OLD.cadre_id IS DISTINCT FROM NEW.cadre_id OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION qualify_auth_notify();
CREATE TRIGGER users_auth_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION qualify_auth_notify();

CREATE TRIGGER user_roles_auth AFTER INSERT OR UPDATE OR DELETE ON user_roles FOR EACH ROW EXECUTE FUNCTION qualify_auth_notify();

CREATE TRIGGER orgs_auth_update AFTER UPDATE ON orgs FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path)
    EXECUTE FUNCTION qualify_auth_notify();
