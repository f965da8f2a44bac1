"""The terminal client of Iterum."""

__version__ = "0.2.0"
