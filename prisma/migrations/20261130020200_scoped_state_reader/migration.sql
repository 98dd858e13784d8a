-- Analysts read user and app state like the rest of the conversation data (docs/sql.md).
GRANT SELECT ON user_states, app_states TO analytics_reader;
