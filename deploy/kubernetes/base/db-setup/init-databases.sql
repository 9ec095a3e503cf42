-- Creates the platform's two databases, one login role per service and their
-- privileges. Idempotent: safe to run on every deploy, by the local run, CI and
-- the Kubernetes setup Job alike. Run as a superuser (or a role with CREATEDB and
-- CREATEROLE) with psql:
--
--   psql -v ON_ERROR_STOP=1 -v processing_db=income_processing -v serving_db=income_serving \
--        [-v ingestion_password=... -v mart_password=... -v dashboard_password=...] \
--        -f deploy/sql/init-databases.sql
--
-- Tables are NOT created here: each service creates its own with versioned Flyway
-- migrations, running as its own role, in the schemas created below.
--
-- Who may do what (least privilege):
--   income_ingestion  processing db: owns schema raw (writes market data).
--   income_mart       processing db: reads raw; owns staging, intermediate, mart.
--                     serving db: owns schema serving (the synced marts); reads app.
--   income_dashboard  serving db only: owns schema app; reads serving.
--                     Cannot connect to the processing db at all.
--   realtime-service  needs no database.

\set ON_ERROR_STOP on
\if :{?processing_db}
\else
  \set processing_db income_processing
\endif
\if :{?serving_db}
\else
  \set serving_db income_serving
\endif

-- Roles ----------------------------------------------------------------------
SELECT format('CREATE ROLE %I LOGIN', r)
FROM unnest(ARRAY['income_ingestion', 'income_mart', 'income_dashboard']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

-- Passwords only when given (local runs use trust auth; Kubernetes passes them from a Secret).
\if :{?ingestion_password}
ALTER ROLE income_ingestion PASSWORD :'ingestion_password';
\endif
\if :{?mart_password}
ALTER ROLE income_mart PASSWORD :'mart_password';
\endif
\if :{?dashboard_password}
ALTER ROLE income_dashboard PASSWORD :'dashboard_password';
\endif

-- Databases ------------------------------------------------------------------
SELECT format('CREATE DATABASE %I', :'processing_db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'processing_db')
\gexec
SELECT format('CREATE DATABASE %I', :'serving_db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'serving_db')
\gexec

-- Nobody connects unless granted here.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'processing_db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'serving_db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO income_ingestion, income_mart', :'processing_db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO income_mart, income_dashboard', :'serving_db') \gexec
SELECT format('REVOKE CONNECT ON DATABASE %I FROM income_dashboard', :'processing_db') \gexec

-- Processing database ----------------------------------------------------------
\connect :processing_db
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS raw AUTHORIZATION income_ingestion;
CREATE SCHEMA IF NOT EXISTS staging AUTHORIZATION income_mart;
CREATE SCHEMA IF NOT EXISTS intermediate AUTHORIZATION income_mart;
CREATE SCHEMA IF NOT EXISTS mart AUTHORIZATION income_mart;
ALTER SCHEMA raw OWNER TO income_ingestion;
ALTER SCHEMA staging OWNER TO income_mart;
ALTER SCHEMA intermediate OWNER TO income_mart;
ALTER SCHEMA mart OWNER TO income_mart;

-- mart-service reads every raw table, including the ones future migrations add.
GRANT USAGE ON SCHEMA raw TO income_mart;
GRANT SELECT ON ALL TABLES IN SCHEMA raw TO income_mart;
ALTER DEFAULT PRIVILEGES FOR ROLE income_ingestion IN SCHEMA raw GRANT SELECT ON TABLES TO income_mart;

-- Serving database --------------------------------------------------------------
\connect :serving_db
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION income_dashboard;
CREATE SCHEMA IF NOT EXISTS serving AUTHORIZATION income_mart;
ALTER SCHEMA app OWNER TO income_dashboard;
ALTER SCHEMA serving OWNER TO income_mart;

-- dashboard-service reads the synced marts.
GRANT USAGE ON SCHEMA serving TO income_dashboard;
GRANT SELECT ON ALL TABLES IN SCHEMA serving TO income_dashboard;
ALTER DEFAULT PRIVILEGES FOR ROLE income_mart IN SCHEMA serving GRANT SELECT ON TABLES TO income_dashboard;

-- mart-service reads the ledger and profiles to build the per-user portfolio marts.
GRANT USAGE ON SCHEMA app TO income_mart;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO income_mart;
ALTER DEFAULT PRIVILEGES FOR ROLE income_dashboard IN SCHEMA app GRANT SELECT ON TABLES TO income_mart;
