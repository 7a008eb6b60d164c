"""Domain logic. Services take a session and plain values, never a request, never commit."""
