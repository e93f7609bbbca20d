"""The "Cite this dataset" section: the DOIs from `data/releases.json`, and BibTeX and CFF
snippets whose title and authors come from where the Zenodo release reads them
(`.zenodo.json`, else `CITATION.cff`), so the site, the DOI record and the repository name
the same authors."""

import re
from dataclasses import dataclass
from datetime import date

from publisher.release.calver import tag_order
from publisher.release.zenodo.citation import citation_head, dump, version_citation
from publisher.release.zenodo.metadata import Human
from publisher.release.zenodo.record import Record

DOI_URL = "https://doi.org/"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
BIBTEX_SPECIAL = re.compile(r"([{}%&$#_^~\\])")
BIBTEX_WORDS = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


@dataclass(frozen=True)
class Citation:
    concept_doi: str | None
    version_doi: str | None
    bibtex: str | None  # None: the repository has no citation metadata yet
    cff: str | None


def doi_url(doi: str) -> str:
    return DOI_URL + doi


def released_on(tag: str, record: Record | None, fallback: date) -> date:
    released = record.releases.get(tag) if record is not None else None
    return date.fromisoformat(released.published) if released is not None else fallback


def citation(
    human: Human | None, tag: str, released: date, record: Record | None, url: str | None
) -> Citation:
    version = record.releases.get(tag) if record is not None else None
    version_doi = version.doi if version is not None else None
    concept_doi = record.concept_doi if record is not None else None
    if human is None:
        return Citation(concept_doi, version_doi, None, None)
    return Citation(
        concept_doi,
        version_doi,
        bibtex(human, tag, released, version_doi or concept_doi, url),
        cff(human, tag, released, (version_doi, concept_doi), url),
    )


def bibtex(human: Human, tag: str, released: date, doi: str | None, url: str | None) -> str:
    year, month, _ = tag_order(tag)
    fields = [
        ("title", f"{{{_bib(human.title)} ({tag})}}"),
        ("author", " and ".join(_bib_author(c["name"]) for c in human.creators)),
        ("year", str(year)),
        ("month", MONTHS[month - 1]),
        ("version", tag),
        ("publisher", "Zenodo" if doi else ""),
        ("doi", doi or ""),
        ("url", doi_url(doi) if doi else url or ""),
        ("note", f"Released {released.isoformat()}"),
    ]
    key = "top_pypi_" + tag.replace(".", "_")
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def cff(
    human: Human, tag: str, released: date, dois: tuple[str | None, str | None], url: str | None
) -> str:
    version_doi, concept_doi = dois
    if version_doi and concept_doi:
        return version_citation(human, tag, released, version_doi, concept_doi)
    data = citation_head(human, tag, released)
    if version_doi or concept_doi:
        data["doi"] = version_doi or concept_doi
    if url:
        data["url"] = url
    return dump(data)


def _bib(text: str) -> str:
    """The text as LaTeX reads it literally: `\\`, `^` and `~` as their text commands, the
    other specials escaped with a backslash."""
    return BIBTEX_SPECIAL.sub(lambda found: BIBTEX_WORDS.get(found[1], "\\" + found[1]), text)


def _bib_author(name: str) -> str:
    """`Family, Given` is a person; a name without a comma is an organisation, kept whole."""
    return _bib(name) if "," in name else f"{{{_bib(name)}}}"
