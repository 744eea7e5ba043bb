"""Article text into events: parsing, sentences, dates, import, update, editing, batches."""
