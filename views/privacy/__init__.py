"""Screens of the privacy (RGPD) work: access, erasure, retention, audit."""
