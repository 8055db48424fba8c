#!/bin/sh
# Run once by the postgres image, on the first start with an empty data volume (files in
# /docker-entrypoint-initdb.d). Creates the application role and one database per service, owned by that role.
# Changing JOBBRIDGE_DB_PASSWORD later does not change an existing role: `docker compose down -v` (which deletes
# the data) or `ALTER ROLE jobbridge PASSWORD '…'`.
# Plain `set -e`: if the file lost its executable bit the image sources it into its own entrypoint.
set -e

: "${JOBBRIDGE_DB_PASSWORD:?set JOBBRIDGE_DB_PASSWORD for the postgres service}"

# The password travels as a psql variable (:'pw' quotes it as a literal), never pasted into SQL.
# CREATE DATABASE cannot run in a transaction: psql autocommits each statement.
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
    -v pw="$JOBBRIDGE_DB_PASSWORD" <<'SQL'
CREATE ROLE jobbridge LOGIN PASSWORD :'pw';

-- One database per service: no service reads another's (see docs/architecture.md).
CREATE DATABASE jobs OWNER jobbridge;
CREATE DATABASE workers OWNER jobbridge;
CREATE DATABASE matching OWNER jobbridge;
CREATE DATABASE notify OWNER jobbridge;
-- The console's accounts, sessions and audit log.
CREATE DATABASE console OWNER jobbridge;

-- Only the owner (and superusers) may connect.
REVOKE ALL ON DATABASE jobs, workers, matching, notify, console FROM PUBLIC;
SQL
