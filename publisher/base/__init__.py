"""The base that every stage may import: errors for people, settings (with day and size
parsing), the clock, progress reporting and the schema of the download events.
"""
