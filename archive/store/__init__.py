"""The log port and its adapters, the head witness, verify and recover: the store knows nothing above it."""
