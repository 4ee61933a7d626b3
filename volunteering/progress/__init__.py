"""Progress against the policy's 2027 targets: the dashboard, and the rollups it reads kept whole.

Lives at the top of the domain because it reads every part of it (teams, volunteers, stations,
trainings, sessions, redemptions, the ledger) through ``stats`` rollups and small counts.
"""
