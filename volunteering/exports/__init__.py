"""Region-scoped spreadsheets (xlsx) of volunteers, sessions, ledger entries and redemptions."""
