"""The queue domain: plain Python, no Flask, database or device imports.

Everything here can be driven by the HTTP API, the CLI, tests or a simulation alike.
"""
