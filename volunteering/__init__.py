"""The service-hours domain: stations, teams, projects, activities, sessions and hours.

SQLAlchemy only; no Flask, no HTTP. Earning points goes through ``rewards`` and ``ledger``.
"""
