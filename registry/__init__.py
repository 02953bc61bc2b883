"""Vendor knowledge, matching, review decisions and the sticky public listings."""
