"""Stage 3, dataset: counted rows made into the published files (JSON, minified JSON, CSV, their
schema and a Frictionless data package), validated before anything is written, and written
atomically. Takes an engine's count; gives files a script can trust, and checks them again later.
"""
