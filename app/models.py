"""Import every model module so the metadata (migrations, drift test) sees all tables."""

import identity.models  # noqa: F401
import ledger.models  # noqa: F401
