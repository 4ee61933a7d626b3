"""Merchants that accept points, and the WeChat accounts that serve as their staff."""
