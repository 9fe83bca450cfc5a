"""CIT: the clinic system for collagen induction therapy."""

__version__ = "0.1.0"
