"""Resource families: one class per family, one method per user intent."""
