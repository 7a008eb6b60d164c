"""Privacy (RGPD) screens."""
