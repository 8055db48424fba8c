#!/bin/sh
# Run once by the postgres image, on the first start with an empty data volume (files in
# /docker-entrypoint-initdb.d). Creates the application role and one database per service, owned by that role.
# Changing JOBBRIDGE_DB_PASSWORD later does not change an existing role: `docker compose down -v` (which deletes
# the data) or `ALTER ROLE jobbridge PASSWORD '…'`.
# Plain `set -e`: if the file lost its executable bit the image sources it into its own entrypoint.
set -e

: "${JOBBRIDGE_DB_USER:=jobbridge}"
: "${JOBBRIDGE_DB_PASSWORD:?set JOBBRIDGE_DB_PASSWORD for the postgres service}"

# The password and role name travel as psql variables (:'pw' quotes a literal, :"role" an identifier), never
# pasted into SQL. CREATE DATABASE cannot run in a transaction: psql autocommits each statement.
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
    -v role="$JOBBRIDGE_DB_USER" -v pw="$JOBBRIDGE_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';

-- One database per service: no service reads another's (see ARCHITECTURE.md).
CREATE DATABASE jobs OWNER :"role";
CREATE DATABASE workers OWNER :"role";
CREATE DATABASE matching OWNER :"role";
CREATE DATABASE notify OWNER :"role";

-- Only the owner (and superusers) may connect.
REVOKE ALL ON DATABASE jobs, workers, matching, notify FROM PUBLIC;
SQL
