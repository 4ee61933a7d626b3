"""Two-phase redemption: reserve (points, stock, allowance) → confirm, cancel or expire."""
