"""The terminal client of Iterum."""
