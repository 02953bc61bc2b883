"""Wording of the pages per language (ja.html, en.html); packaged as data."""
