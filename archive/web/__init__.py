"""Views on disk, build, watch and serve."""
