"""The vocabulary of fact-archive: events, sources, dates and names. No I/O, imports nothing of ours."""
