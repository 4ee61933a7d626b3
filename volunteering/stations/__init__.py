"""Stations (阵地): where volunteers serve, with the six standards and a signed QR code."""
