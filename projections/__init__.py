"""Pure folding of events into state, and rendering of state into views. Imports events/ only."""
