"""Screens, menus and APIs; views/registry.py registers them on an AppBuilder."""
