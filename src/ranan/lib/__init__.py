"""Code several apps share and that holds no domain rule: spreadsheets, PDF fonts, images,
masking and normalising what people type, date ranges, append-only rows, idempotent writes.

Apps import from here, never another app's private names (tests/core/test_layering.py).
"""
