"""The bottom layer: small utilities every app uses and that belong to no app.

Text folding and safety (XML, control characters), CSV safe from formulas, the
client address behind proxies, id converters for URLs and the API, the API's error
bodies, absolute URLs, feeds, image re-encoding, accessible form rendering.
``core`` imports Django, Wagtail and other libraries, never a project app
(``.importlinter`` checks it): any app, ``search`` and ``accounts`` included, may
import it.
"""
