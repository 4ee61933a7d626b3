"""Shared foundations every domain package may use: the SQLAlchemy base, clock, regions, errors.

Nothing here knows Flask, HTTP or Redis.
"""
