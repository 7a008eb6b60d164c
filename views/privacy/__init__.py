"""Screens of the privacy (RGPD) area."""
