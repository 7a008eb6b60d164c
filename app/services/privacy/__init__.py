"""Privacy (RGPD): consent per channel, suppression list, access, erasure, retention, audit."""
