-- PostgreSQL announces changes to sessions, accounts, roles and org paths to other instances
-- (channel qualify_auth). An SQLite database has one instance, which drops its cached sessions
-- itself after each such commit, so there is nothing to create here.

SELECT 1;
