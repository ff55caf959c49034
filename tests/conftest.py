"""Shared test setup: the stage folders import `helpers` from here (pytest puts this folder on sys.path)."""
