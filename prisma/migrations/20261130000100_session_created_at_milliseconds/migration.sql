-- Session lists page on (created_at, id) with cursors that carry a JSON timestamp, i.e. milliseconds. PostgreSQL
-- keeps microseconds, so a cursor taken from a session created in the same millisecond as the next one pointed
-- between them and the next page skipped it. Sessions now keep milliseconds, whoever writes them (the service,
-- an import, an analyst's UPDATE): the trigger costs one function call per session insert, off the event path.
CREATE FUNCTION sessions_created_at_milliseconds() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_at := date_trunc('milliseconds', NEW.created_at);
  RETURN NEW;
END;
$$;

CREATE TRIGGER sessions_created_at_milliseconds
  BEFORE INSERT OR UPDATE OF created_at ON sessions
  FOR EACH ROW EXECUTE FUNCTION sessions_created_at_milliseconds();

UPDATE sessions SET created_at = created_at WHERE created_at <> date_trunc('milliseconds', created_at);
