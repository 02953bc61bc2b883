"""`gaibu console`: the browser workspace where compliance staff review findings and publish.

``app`` (Starlette routes, the HTTP face), ``views`` (what each screen shows, from the database),
``accounts`` (users, roles, sessions), ``security`` (Host check, CSP and headers, CSRF/origin).
Decisions go through ``gaibu.commands.review`` exactly as the CLI's do.
"""
