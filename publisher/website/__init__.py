"""Stage 5, website: the published months shown as a static site. Takes the repository's publish
tags (read from git, never checked out) and `data/releases.json`; gives HTML pages, the data
files under their usual names, a sitemap and the rest, rendered with jinja2 from the templates
and assets in the top-level `site/` folder (shipped in the wheel as `publisher.website.assets`).
"""
