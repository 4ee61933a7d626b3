"""Training records (交流培训): what feeds the yearly training compliance of cities and counties."""
