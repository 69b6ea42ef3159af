-- One database per service, each owned by its own login role: no service can read another's tables
-- (DESIGN.md "Runtime"). Run once by the postgres image, as the superuser, when its data volume is
-- empty (/docker-entrypoint-initdb.d). Each service creates its tables itself: Alembic migrations
-- run at start.
--
-- The passwords are development credentials for the local compose stack only; they must match the
-- SEXTANT_<SERVICE>_DATABASE_URL values in docker-compose.yml (tests/unit/test_deploy_compose.py
-- checks that they do). Production takes the URLs from a secret store.
--
-- PostgreSQL 15 no longer lets every role create objects in the public schema; the owner of a
-- database still can, which is why each database is owned by its service's role.

CREATE ROLE sextant_featurestore LOGIN PASSWORD 'sextant';
CREATE DATABASE sextant_featurestore OWNER sextant_featurestore;
REVOKE ALL ON DATABASE sextant_featurestore FROM PUBLIC;

CREATE ROLE sextant_training LOGIN PASSWORD 'sextant';
CREATE DATABASE sextant_training OWNER sextant_training;
REVOKE ALL ON DATABASE sextant_training FROM PUBLIC;

CREATE ROLE sextant_registry LOGIN PASSWORD 'sextant';
CREATE DATABASE sextant_registry OWNER sextant_registry;
REVOKE ALL ON DATABASE sextant_registry FROM PUBLIC;

CREATE ROLE sextant_serving LOGIN PASSWORD 'sextant';
CREATE DATABASE sextant_serving OWNER sextant_serving;
REVOKE ALL ON DATABASE sextant_serving FROM PUBLIC;

CREATE ROLE sextant_monitoring LOGIN PASSWORD 'sextant';
CREATE DATABASE sextant_monitoring OWNER sextant_monitoring;
REVOKE ALL ON DATABASE sextant_monitoring FROM PUBLIC;

CREATE ROLE sextant_policy LOGIN PASSWORD 'sextant';
CREATE DATABASE sextant_policy OWNER sextant_policy;
REVOKE ALL ON DATABASE sextant_policy FROM PUBLIC;
