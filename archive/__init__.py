"""The application: the log file, ingestion of article text, watching, and the command line."""
