"""The bundled offline demo: a fictional company's site, simulated vendors and an app, on a local net.

Run it with `python -m gaibu.demo`. Everything is served from 127.0.0.1 (see gaibu.localnet); the
company, 株式会社すみか日和, and its domains are made up.
"""
