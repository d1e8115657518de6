"""`kg claims draft`: a claims file skeleton for a new article, for a curator to complete.

One entry per sentence (pysbd, see kg.article.sentences) with its verbatim quote and offsets, the
project's entities each sentence mentions, and cues the curator must decide on: attribution, hedges,
time expressions. The draft asserts no triple: each entry's claimer, modality, valid time and triples
are left for the curator, and `kg build` refuses the file until they are filled in.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from rdflib import Graph

from kg import paths
from kg.article import is_heading, read_text, sentences, title_span
from kg.errors import KGError, quoted, shown_text
from kg.matching import Entity, Matcher
from kg.mentions import find_mentions
from kg.output_files import write_atomically

ARTICLE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TODO = "TODO"
# The comment a draft carries when the article has no title line; the CLI warns when it sees it.
NO_TITLE = f"# {TODO}: the article has no title line (its first line is a run of sentences): give its title"

# Cues are words a curator must weigh, not decisions: each is written as a comment beside the sentence.
CUES = {
    "attribution": re.compile(r"\b(?:said|says|say|told|tells|according to|warn(?:s|ed)?|argue[sd]?|"
                              r"highlight(?:s|ed)?|claim(?:s|ed)?|report(?:s|ed|edly)?|stated?|believe[sd]?|"
                              r"expects?|expected)\b", re.IGNORECASE),
    "hedge": re.compile(r"\b(?:likely|unlikely|may|might|could|possibly|perhaps|probably|reportedly|appears?|"
                        r"seems?|expected to|about|around|approximately|nearly|some)\b", re.IGNORECASE),
    "time": re.compile(r"\b(?:(?:in|since|by|until|from|before|after)\s+)?(?:(?:early|mid|late)[\s-]+)?"
                       r"(?:19|20)\d\d\b|\b(?:since|recent(?:ly)?|continues?|continuing|still|now|currently|"
                       r"no longer|ahead|will|former(?:ly)?|(?-i:(?:January|February|March|April|May|June|July|"
                       r"August|September|October|November|December)(?:\s+\d{1,2})?))\b", re.IGNORECASE),
}


class DraftError(KGError):
    """The draft cannot be written: a missing or unreadable article, a used id, an existing output."""


def used_article_ids(claims_dir: Path) -> dict[str, Path]:
    """The article ids the claims files in a directory declare, with their files."""
    used = {}
    for path in sorted(Path(claims_dir).glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            used[str(document["article"]["id"])] = path
        except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
            continue  # not a claims file; the build will say so
    return used


def draft(article: Path, article_id: str, *, out: Path, claims_dir: Path = paths.CLAIMS_DIR,
          entities: Path = paths.ENTITIES_FILE, aliases: Path = paths.ALIASES_FILE, force: bool = False) -> str:
    """Write the skeleton of a claims file for `article` to `out` and return its text.

    Raises DraftError if the article is missing, not UTF-8 or without a sentence, the id is malformed or already used
    by a claims file in `claims_dir` (which must be a folder), or `out` exists (unless `force`); OSError naming `out` if it cannot be written.
    """
    if not ARTICLE_ID.fullmatch(article_id):
        raise DraftError(f"the id {quoted(article_id)} must be lower-case letters and digits joined by hyphens")
    if not Path(article).exists():
        raise DraftError(f"{article}: no such file")
    if not Path(article).is_file():  # its text is read again by the build, which a pipe or device cannot give
        raise DraftError(f"{article} is no regular file (a FIFO, a pipe or a device): save the article to a file")
    try:
        text = read_text(Path(article))
    except KGError as error:
        raise DraftError(str(error)) from None
    if all(is_heading(text, start, end) for start, end in sentences(text)):  # the build refuses a file of no claims
        raise DraftError(f"{article} holds no sentence to draft a claim from (it is empty, or headings only)")
    if not Path(claims_dir).is_dir():  # else no id would count as used, and a taken one would be drafted again
        raise DraftError(f"{claims_dir}: no such folder of claims files")
    if article_id in used_article_ids(claims_dir):
        raise DraftError(f"the id {quoted(article_id)} is already used by {used_article_ids(claims_dir)[article_id]}")
    if Path(out).exists() and not force:
        raise DraftError(f"{out} exists; give --force to overwrite it")
    named = _relative(article, Path(out).parent)  # the article as the claims file names it
    if shown_text(named) != named:  # a byte that is not UTF-8, which the UTF-8 claims file cannot hold
        raise DraftError(f"{shown_text(named)}: the claims file would name the article so, and its name holds a byte "
                         "that is not UTF-8, which a claims file (UTF-8) cannot hold; rename the file or its folder")
    skeleton = render(text, article_id, Path(article), Path(out), known_entities(entities, aliases))
    write_atomically(Path(out), skeleton.encode("utf-8"))  # a failed write leaves a --force'd file as it was
    return skeleton


def known_entities(entities: Path, aliases: Path) -> list[Entity]:
    """The project's entities with their labels (entities file) and aliases (aliases table)."""
    from kg.links import aliases_graph, read_aliases
    from kg.namespaces import PREFIXES, source_iri

    from rdflib import URIRef

    graph = Graph().parse(entities, format="turtle")
    graph += aliases_graph(read_aliases(aliases), URIRef(source_iri("us-sahel-quiet-ties")))

    def select(sparql: str):
        rows = graph.query(sparql, initNs=PREFIXES)
        return [tuple(None if term is None else str(term) for term in row) for row in rows]

    return list(Matcher.from_queries(select).entities.values())


def _scalar(value) -> str:
    """A YAML scalar on one line (quoted as YAML needs)."""
    return yaml.safe_dump(value, allow_unicode=True, width=float("inf"), default_style=None).strip() \
        .removesuffix("\n...").removesuffix("...").strip()


def render(text: str, article_id: str, article: Path, out: Path, names: list[Entity]) -> str:
    """The claims file skeleton (see the module docstring)."""
    spans = sentences(text)
    title_at = title_span(text)
    # No title is invented: a first line of sentences is drafted as entries and the title left to fill in.
    title = text[title_at[0]:title_at[1]] if title_at else None
    relative = Path(_relative(article, out.parent))
    lines = [
        f"# Claims of {_scalar(title or article_id)} ({relative.name}): a DRAFT by `kg claims draft`.",
        "# For each entry: keep it (narrow the quote and offsets to one claim if need be), split it, or delete it;",
        "# then fill in claimer, modality, valid time and triples. The comments list the entities each sentence",
        "# mentions and the cues to decide on; the draft asserts nothing, and `kg build` refuses it until done.",
        "",
        "article:",
        f"  id: {article_id}",
        f"  file: {_scalar(str(relative))}",
        f"  title: {_scalar(title)}" if title else f"  title: {TODO}  {NO_TITLE}",
        "  language: en",
        f"  sha256: {hashlib.sha256(text.encode('utf-8')).hexdigest()}",
        f"  published: unknown  # {TODO}: the date if the article gives one",
        f"  # published_not_before: {TODO}  (the earliest date its content allows)",
        f"  # published_not_after: {TODO}  (at the latest, the day it was added)",
        "",
        f"curated_by: {TODO}",
        "",
        "claimers:",
        f"  {article_id}-voice:",
        "    type: sahel:ArticleVoice",
        f"    label: {_scalar('the voice of ' + (title or article_id))}",
        "",
        "modalities:",
        *(f"  {name}: sahel:{concept}" for name, concept in (
            ("asserted", "Asserted"), ("reported-speech", "ReportedSpeech"), ("warned", "Warned"),
            ("argued", "Argued"), ("forecast", "Forecast"))),
        "",
        "certainties:",
        "  unhedged: sahel:Unhedged",
        "  likely: sahel:Likely",
        "",
        "times:",
        f"  {article_id}-as-of:",
        "    label: as of the article",
        "    precision: sahel:RelativeToSource",
        "    ongoing: true",
        "    relative: sahel:AsOfSource",
        "",
        "claims:",
    ]
    headings = [text[start:end] for start, end in spans if is_heading(text, start, end)]
    if headings:
        lines.insert(5, "# Headings (no entries): " + "; ".join(_scalar(heading) for heading in headings))
    for number, (start, end) in enumerate(((s, e) for s, e in spans if not is_heading(text, s, e)), start=1):
        lines += ["", *_entry(text, start, end, f"{article_id}-{number}", names)]
    return "\n".join(lines) + "\n"


def _entry(text: str, start: int, end: int, claim_id: str, names: list[Entity]) -> list[str]:
    quote = text[start:end]
    mentions = find_mentions(quote, names)
    lines = []
    if mentions:
        shown = {}
        for mention in mentions:
            shown.setdefault(mention.iri, []).append(mention.name)
        lines.append("  # mentions: " + ", ".join(
            f"{_short(iri)} ({', '.join(_scalar(name) for name in dict.fromkeys(found))})"
            for iri, found in shown.items()))
    for kind, pattern in CUES.items():
        found = list(dict.fromkeys(match.group(0) for match in pattern.finditer(quote)))
        if found:
            lines.append(f"  # cue ({kind}): " + ", ".join(_scalar(word) for word in found))
    return lines + [
        f"  - id: {claim_id}",
        f"    quote: {_scalar(quote)}",
        f"    start: {start}",
        f"    end: {end}",
        f"    claimer: {TODO}",
        f"    modality: {TODO}",
        f"    valid: {TODO}",
        "    triples: |",
        f"      # {TODO}: what the quote states, in the ontology's terms",
    ]


def _short(iri: str) -> str:
    from kg.namespaces import SK

    return "sk:" + iri[len(str(SK)):] if iri.startswith(str(SK)) else f"<{iri}>"


def _relative(target: Path, directory: Path) -> str:
    """`target` relative to `directory` (with .. where needed)."""
    import os

    return os.path.relpath(Path(target).resolve(), Path(directory).resolve())
