"""The common package of the JobBridge services: settings, database, events, auth, logging, reference data."""
