"""The four JobBridge services; each owns its database and serves under its own path prefix."""
