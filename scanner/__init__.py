"""Finds what a company's sites and apps send to third parties: config, crawl, capture, importers."""
