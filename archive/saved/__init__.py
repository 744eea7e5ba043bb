"""Derived state saved beside the log (checkpoints, per-record states), proven against the log before use."""
