"""Packaged Jinja2 templates and CSS of the public pages (a package only so that wheels ship it)."""
