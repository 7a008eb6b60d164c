"""Privacy (RGPD) screens and API parts: consent, requests, erasure, audit, register."""
