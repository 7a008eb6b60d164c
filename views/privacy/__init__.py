"""Screens of the privacy (RGPD) work: consent, unsubscribe, access and erasure requests."""
