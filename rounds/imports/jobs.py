"""Job handlers for imports (filled in with the import service)."""
