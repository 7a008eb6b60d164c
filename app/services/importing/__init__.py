"""Importing leads from CSV and Excel files: read, map, check, then create/update in bulk."""
