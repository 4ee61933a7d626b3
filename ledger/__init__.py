"""The points ledger: accounts, transactions, entries, holds, lots, verify. SQLAlchemy only."""
