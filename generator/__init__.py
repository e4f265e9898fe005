"""cardgen: vendor model documents in, a catalog and a typed SDK out."""

__version__ = "0.1.0"
