"""Background jobs. Each takes ids, loads, calls a service, commits, and raises on failure."""
