"""Ranan (燃安): an open platform for urban and rural gas safety."""

__version__ = "0.1.0"
