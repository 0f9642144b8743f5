"""See reports/models/__init__.py."""
