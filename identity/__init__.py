"""Who uses the system: volunteers (WeChat accounts) and staff (console accounts).

SQLAlchemy only; no Flask, no HTTP.
"""
