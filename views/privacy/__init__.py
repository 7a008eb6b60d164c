"""Screens of the privacy (RGPD) area: consent, unsubscribe, requests, erasure, audit, register."""
