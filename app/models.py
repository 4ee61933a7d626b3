"""Import every model module so the metadata (migrations, drift test) sees all tables."""

import identity.models  # noqa: F401
import ledger.models  # noqa: F401
import rewards.earning_rules
import rewards.merchants.models
import rewards.perks.models
import rewards.redemptions.models  # noqa: F401
import stats.models  # noqa: F401
import volunteering.activities.models
import volunteering.certificates.models
import volunteering.recognition.models
import volunteering.sessions.models
import volunteering.stations.models
import volunteering.trainings.models  # noqa: F401
