"""Rollups kept up to date as events happen: what the dashboard reads instead of scanning.

Knows SQLAlchemy and ``core`` only. The use cases that record hours and move points call
``rollups.add`` in their own transaction, so a rollup never disagrees with the event behind it.
"""
