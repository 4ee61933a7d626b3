"""The perk catalog: what points buy, at which merchant, how many, for whom, when."""
