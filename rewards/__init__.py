"""Use cases that earn and spend points: earning rules, stars, perks, merchants, redemption."""
