"""The console's tables (kg/table.py) are terminal-safe: display widths, escaped controls, cells cut only
with a notice, language tags only where a column mixes languages; through kg query on a terminal too."""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox
import pytest
from wcwidth import wcswidth

from kg.invisible import IGNORABLE, JOINERS
from kg.namespaces import PREFIXES
from kg.results import Result
from kg.table import MAX_CELL, Table, csv_lines, printable, render
from test_cli import on_terminal
from test_loading import installed, spec  # noqa: F401  (fixtures)

EX = "http://example.org/table/"
HOSTILE = "a\tb\rc\nd\x1b[31mred\x1b]0;title\x07\x9b2J\x7f\u2028e\u202eexe.txt"
UNSAFE = set("\t\r\n\x1b\x07\x9b\x7f\u2028\u202e")


def literal(text: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=language)


def table(rows, variables=("s", "o"), **options) -> tuple[list[str], Table]:
    made = Table(list(variables), PREFIXES, **options)
    return list(made.lines(rows)), made


def test_columns_align_by_display_width():
    lines, _ = table([(literal("伦敦"), literal("x")), (literal("Niamey"), literal("y")),
                      (literal("e\u0301te\u0301"), literal("z"))])  # combining accents take no column
    starts = {wcswidth(line[:line.rindex(" ") + 1]) for line in lines[2:]}
    assert len(starts) == 1, lines  # the second column starts at the same column on every row
    assert lines[2].startswith('"伦敦"    ')  # 6 columns wide, padded to the 8 of "Niamey"


def test_control_characters_are_escaped_and_nothing_reaches_the_terminal():
    lines, _ = table([(literal(HOSTILE), literal("x"))], wide=True)
    assert not any(UNSAFE & set(line) for line in lines)
    text = "\n".join(lines)
    assert "a\\tb\\rc\\nd\\x1b[31mred\\x1b]0;title\\x07\\x9b2J\\x7f\\u2028e\\u202eexe.txt" in text
    assert printable("plain, accentué, 伦敦") == "plain, accentué, 伦敦"


def test_characters_that_show_as_nothing_are_escaped_but_joiners_are_kept():
    """"ma\u200bli" looked like "mali" on a terminal: two values told apart only by invisible characters."""
    assert printable("ma\u200bli\u2060\ufeff\u2062") == "ma\\u200bli\\u2060\\ufeff\\u2062"
    kept = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001F469\u200d\U0001F52C"  # ZWNJ in Persian, ZWJ in an emoji
    assert printable(kept) == kept


def test_tags_fillers_and_other_invisible_characters_are_escaped_but_selectors_are_kept():
    """They passed through: "Mali" and "Mali" with tags after it (text hidden in them), a Hangul filler or a
    deprecated format character looked alike."""
    hidden = "Mali\U000e0041\U000e0042\u3164\u206a\u034f"
    assert printable(hidden) == "Mali\\U000e0041\\U000e0042\\u3164\\u206a\\u034f"
    kept = "\u2764\ufe0f \u845b\U000e0100"  # an emoji's presentation selector, an ideographic variation
    assert printable(kept) == kept


def test_a_soft_hyphen_and_every_character_of_the_escaped_kinds_come_out_escaped():
    """"Ma\u00adli" showed as "Mali" (or "Ma-li"): the hand-picked list missed the soft hyphen, and others."""
    assert printable("Ma\u00adli") == "Ma\\xadli"
    kinds = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
    codes = [code for code in range(0x110000) if unicodedata.category(chr(code)) in kinds
             and chr(code) not in JOINERS + "\u180f"] + [ord(char) for char in IGNORABLE]
    text = "".join(map(chr, codes))
    assert printable(text) == "".join(_escaped(code) for code in codes)
    selectors = [*range(0x180b, 0x180e), 0x180f, *range(0xfe00, 0xfe10), *range(0xe0100, 0xe01f0)]
    for code in [0x200c, 0x200d, *selectors]:  # where they show as nothing: alone, in a Latin word, doubled
        for text, shown in ((chr(code), _escaped(code)), (f"ma{chr(code)}li", f"ma{_escaped(code)}li"),
                            (f"\u4f26{chr(code) * 2}", f"\u4f26{chr(code)}{_escaped(code)}"
                             if code not in (0x200c, 0x200d) else f"\u4f26{_escaped(code) * 2}")):
            assert printable(text) == shown, (hex(code), text)


def _escaped(code: int) -> str:
    if 0xDC80 <= code <= 0xDCFF:  # Python's stand-in for a byte that is not UTF-8: shown as that byte
        return f"\\x{code - 0xDC00:02x}"
    return {9: "\\t", 10: "\\n", 13: "\\r"}.get(code) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


ORDINARY = [  # Latin; Arabic with harakat and tatweel; Persian with a ZWNJ; Devanagari with marks, virama, joiners
    "Bamako, Niamey, Ouagadougou — Mali’s «capitale», 12 ans, ½",
    "\u0627\u0644\u0639\u064e\u0631\u064e\u0628\u0650\u064a\u0651\u064e\u0629 \u0640\u0644\u0627 \u0661\u0662",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0915\u094d\u200d\u0937 \u0915\u094d\u200c\u0937",
    # CJK, Hangul, an ideographic variant; Hebrew points, Thai, Mongolian with a selector; emoji sequences
    "\u4f26\u6566 \u6771\u4eac \uc11c\uc6b8 \u845b\U000e0100",
    "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 \u1820\u180b",
    "\U0001f469\u200d\U0001f52c \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f44d\U0001f3fd "
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\u2764\ufe0f 1\ufe0f\u20e3 #\ufe0f\u20e3 \U0001f1f2\U0001f1f1 \u00a9\ufe0f \u2194\ufe0e",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_of_many_scripts_and_emoji_sequences_comes_out_unchanged(text):
    assert printable(text) == text


def test_escaped_and_wide_and_combining_cells_align():
    lines, _ = table([(literal("Ma\u00adli"), literal("x")), (literal(ORDINARY[6]), literal("y")),
                      (literal(ORDINARY[3]), literal("z")), (literal("\u4f26\u6566"), literal("w"))])
    assert len({wcswidth(line[:line.rindex(" ") + 1]) for line in lines[2:]}) == 1, lines


def test_a_long_cell_is_cut_with_a_mark_and_counted_and_wide_shows_it_whole():
    quote = "word " * 60
    lines, made = table([(literal(quote), literal("x"))])
    assert made.cut == 1 and "…" in lines[2] and wcswidth(lines[2].split("  ")[0]) <= MAX_CELL
    lines, made = table([(literal(quote), literal("x"))], wide=True)
    assert made.cut == 0 and quote.strip() in lines[2]


def test_a_table_is_narrowed_to_a_terminals_width_and_says_what_it_cut():
    """On a 50-column terminal an 80-column rule and cells wrapped every line (helper-140)."""
    rows = [(literal("word " * 12), literal("other " * 12)), (literal("Mali"), literal("Niger"))]
    lines, made = table(rows, room=50)
    assert all(wcswidth(line) <= 50 for line in lines) and made.cut == 2 and "…" in lines[2]
    lines, made = table(rows, room=50, wide=True)  # --wide: every cell whole, whatever the terminal
    assert made.cut == 0 and ("other " * 12).strip() in lines[2]
    many = table([tuple(literal("x" * 20) for _ in range(10))], variables=[f"v{n}" for n in range(10)], room=50)[0]
    assert all(len(cell) >= 8 for cell in many[2].split("  "))  # a column keeps 8 columns, though the table is wider


def test_kg_query_on_a_narrow_terminal_fits_its_table(spec, monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")  # as a terminal of 50 columns says (shutil.get_terminal_size reads it first)
    query = "SELECT ?c ?q WHERE { ?c oa:exact ?q } ORDER BY ?c LIMIT 3"
    status, out, err = on_terminal(["query", "--store", spec, "-q", query], stdout_tty=True)
    assert status == 0 and all(wcswidth(line) <= 50 for line in out.splitlines() if line), out
    assert "shown in part" in err


def test_a_language_tag_shows_only_where_a_column_mixes_languages():
    rows = [(literal("Niger", "en"), literal("Niger", "en")), (literal("Mali", "en"), literal("Mali", "fr")),
            (literal("Tchad", "en"), literal("Chad"))]
    lines, _ = table(rows)
    assert lines[0].split() == ["?s@en", "?o"]  # the first column's language, once
    assert lines[2].split() == ['"Niger"', '"Niger"@en']
    assert lines[3].split() == ['"Mali"', '"Mali"@fr']
    assert lines[4].split() == ['"Tchad"', '"Chad"']  # plain text beside tagged text: the tags stay


def test_render_of_triples_and_booleans_is_safe_too():
    triple = ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), literal(HOSTILE))
    text = render(Result(kind="graph", triples=[triple]), PREFIXES)
    assert not UNSAFE & set(text) and text.endswith(" .")
    assert render(Result(kind="boolean", boolean=True), PREFIXES) == "true"


@pytest.fixture
def hostile_spec(spec, tmp_path):
    data = tmp_path / "hostile.nt"
    data.write_text(f'<{EX}s> <{EX}p> {literal(HOSTILE)} .\n<{EX}s> <{EX}long> "{"word " * 60}" .\n'
                    f'<{EX}s> <{EX}cjk> "伦敦" .\n', encoding="utf-8")
    status, _, err = on_terminal(["load", data, "--store", spec], stdin_tty=False)
    assert status == 0, err
    return spec


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"])
def test_kg_query_on_a_terminal_never_passes_on_an_escape_sequence(hostile_spec, fmt):
    query = f"SELECT ?o WHERE {{ <{EX}s> ?p ?o }}" if fmt not in ("turtle", "ntriples") else \
        f"CONSTRUCT WHERE {{ <{EX}s> ?p ?o }}"
    status, out, err = on_terminal(["query", "--store", hostile_spec, "--format", fmt, "-q", query], stdout_tty=True)
    if fmt == "xml":  # XML 1.0 cannot carry ESC at all: an error, and nothing of it written
        assert status == 1 and "XML cannot carry" in err and "\x1b" not in out
        return
    assert status == 0, err
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out and "\u202e" not in out
    assert re.search(r"\\(x1b|u001b)\[31mred", out, re.I)  # escaped by the format, else for the terminal


def test_kg_query_says_a_cell_was_cut_and_wide_shows_it(hostile_spec, tmp_path):
    query = f"SELECT ?o WHERE {{ <{EX}s> <{EX}long> ?o }}"
    status, out, err = on_terminal(["query", "--store", hostile_spec, "-q", query], stdout_tty=True)
    assert status == 0 and "…" in out and "1 cell shown in part: --wide shows them whole" in err
    status, out, err = on_terminal(["query", "--store", hostile_spec, "--wide", "-q", query], stdout_tty=True)
    assert status == 0 and ("word " * 60).strip() in out and "shown in part" not in err
    written = tmp_path / "out.csv"  # a file gets the data as it is: only the terminal is protected
    status, _, err = on_terminal(["query", "--store", hostile_spec, "--format", "csv", "-o", written, "-q",
                                  f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}"])
    assert status == 0 and "\x1b[31mred" in written.read_text(encoding="utf-8")


def test_kg_query_aligns_by_display_width_and_tags_only_a_column_of_mixed_languages(spec):
    status, out, err = on_terminal(["query", "--store", spec, "-q", 'SELECT ?city ?n WHERE { VALUES (?city ?n) '
                                    '{ ("伦敦" 1) ("Niamey" 2) ("東京都" 3) } }'], stdout_tty=True)
    assert status == 0, err
    rows = out.splitlines()[2:5]
    assert {wcswidth(row[:row.rindex(" ") + 1]) for row in rows} == {10}, rows  # 8 columns + 2 between
    one = 'SELECT ?l WHERE { VALUES ?l { "Niger"@en "Mali"@en } }'
    status, out, err = on_terminal(["query", "--store", spec, "-q", one], stdout_tty=True)
    assert status == 0 and out.splitlines()[0] == "?l@en" and out.splitlines()[2:] == ['"Niger"', '"Mali"'], err
    status, out, err = on_terminal(["query", "--store", spec, "-q", one.replace('"Mali"@en', '"Mali"@fr')],
                                   stdout_tty=True)
    assert status == 0 and out.splitlines()[2:] == ['"Niger"@en', '"Mali"@fr'], err


# Objects that once read alike on a terminal, as Turtle writes them (and so as the console must show them).
KINDS = ['"1"', "1", "1.5", '"1"^^xsd:decimal', '"sk:mali"', "sk:mali", '"Mali"@fr', '"2025-01-01"^^xsd:date',
         '"say \\"hi\\" \\\\o/"', "true", '"yes"^^xsd:boolean']


def test_a_graph_and_a_table_on_a_terminal_keep_the_kinds_of_terms_apart(spec, tmp_path):
    """A CONSTRUCT on a terminal printed literals bare: the string "1" and the integer 1 looked alike, as did
    the string "sk:mali" and the IRI, and "2025-01-01"^^xsd:date lost its datatype. Graph lines and table cells
    now both write each term as Turtle does."""
    data = tmp_path / "kinds.ttl"
    data.write_text("\n".join(f"@prefix {name}: <{iri}> ." for name, iri in PREFIXES.items()) +
                    f"\n<{EX}s> <{EX}p> {', '.join(KINDS)} .\n", encoding="utf-8")
    status, _, err = on_terminal(["load", data, "--store", spec], stdin_tty=False)
    assert status == 0, err
    status, out, err = on_terminal(["query", "--store", spec, "-q", f"CONSTRUCT WHERE {{ <{EX}s> ?p ?o }}"],
                                   stdout_tty=True)
    assert status == 0, err
    prefix = f"<{EX}s> <{EX}p> "
    assert sorted(line[len(prefix):-2] for line in out.splitlines() if line.startswith(prefix)) == sorted(KINDS)
    status, out, err = on_terminal(["query", "--store", spec, "-q", f"SELECT ?o WHERE {{ <{EX}s> ?p ?o }}"],
                                   stdout_tty=True)
    assert status == 0, err
    assert sorted(out.splitlines()[2:]) == sorted(KINDS)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_on_a_terminal_keep_a_row_a_line_and_its_columns(hostile_spec, fmt):
    """CSV writes values raw, and on a terminal only the text between TABs and line ends was escaped: a TAB in
    a value made a column more, a CR LF in it a line more. A file or pipe still gets the format byte for byte."""
    query = f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o FILTER(?p = <{EX}p>) }}"
    status, out, err = on_terminal(["query", "--store", hostile_spec, "--format", fmt, "-q", query], stdout_tty=True)
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 2 and not (UNSAFE - {"\t", "\n"}) & set(out), lines
    separator = "\t" if fmt == "tsv" else ","
    assert [line.count("\t") for line in lines] == ([1, 1] if fmt == "tsv" else [0, 0])
    assert lines[1].startswith(f"<{EX}p>{separator}" if fmt == "tsv" else f"{EX}p{separator}")
    assert "a\\tb\\rc\\nd" in lines[1]
    status, piped, err = on_terminal(["query", "--store", hostile_spec, "--format", fmt, "-q", query],
                                     stdin_tty=False)
    assert status == 0, err
    value = str(literal(HOSTILE)).replace("\u2028", "\\u2028")  # the N-Triples form, LINE SEPARATOR escaped too
    assert piped == {"csv": f'p,o\r\n{EX}p,"{HOSTILE}"\r\n', "tsv": f"?p\t?o\n<{EX}p>\t{value}\n"}[fmt]

def test_a_plain_string_below_a_header_that_gives_a_language_says_it_has_none():
    """The first rows fix a column's language (?label@en) and its cells leave the tag out; a plain string
    that comes later must not look like them (helper-53: "PLAIN" and "TAGGED"@en printed alike)."""
    tagged = [(ox.Literal(f"e{number}", language="en"),) for number in range(1000)]
    later = [(ox.Literal("PLAIN"),), (ox.Literal("TAGGED", language="en"),), (ox.Literal("FR", language="fr"),)]
    lines = list(Table(["label"], PREFIXES, wide=True).lines(tagged + later))  # wide: cells are not cut to fit
    assert lines[0].strip() == "?label@en"
    assert [line.strip() for line in lines[-3:]] == ['"PLAIN"^^xsd:string', '"TAGGED"', '"FR"@fr']


def test_variables_named_with_characters_a_terminal_acts_on_are_escaped_in_headers():
    """A variable may hold U+061C (a name character): the table's and CSV's headers wrote it raw, and the table
    counted a header's characters, not its columns, so `?伦敦` pushed the next header out of line."""
    rows = [(ox.Literal("x"), ox.Literal("y"))]
    header, rule, line = Table(["a\u061c", "伦敦"], PREFIXES).lines(rows)
    assert header.split() == ["?a\\u061c", "?伦敦"]
    assert wcswidth(header) == wcswidth(rule) and header.index("?伦敦") == line.index('"y"')
    assert next(csv_lines(["a\u061c"], rows)) == "a\\u061c"


def test_csv_on_a_terminal_tells_a_line_end_from_a_backslash_before_an_n():
    """Escaping a line end as \\n is ambiguous unless a backslash is escaped too (helper-53 saw both as a\\nb)."""
    query = r'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a\nb" "a\\nb") } }'
    status, out, err = on_terminal(["query", "--store", "memory:", "--format", "csv", "-q", query], stdout_tty=True)
    assert status == 0, err
    assert out.splitlines()[1] == r"a\nb,a\\nb"


def test_an_error_that_quotes_an_engine_escapes_what_the_engine_said(spec):
    """An engine's error message reached stderr as it was sent: an escape sequence in it drove the terminal."""
    import http.server
    import threading

    class Refusing(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            body = "bad query \x1b[31mred\x1b]0;title\x07 \u202eexe".encode("utf-8")
            self.send_response(400)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _, err = on_terminal(["query", "--endpoint", f"http://127.0.0.1:{server.server_port}/sparql",
                                      "-q", "ASK {}"], stdin_tty=False)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 1 and "bad query" in err, err
    assert not (UNSAFE - {"\n"}) & set(err) and "\\x1b[31mred" in err and err.count("\n") == 1, err


def _column_starts(lines: list[str]) -> set[int]:
    """The display column where each line's last cell starts (the rule's too)."""
    return {wcswidth(line[:line.rindex("  ") + 2]) for line in lines}


@pytest.mark.parametrize("room", [None, 40])
def test_a_cut_cell_fits_its_column_whatever_characters_stand_where_it_is_cut(room):
    """A cell cut by wcwidth's clip came out a column wider than its column where it held a spacing mark
    (Myanmar's U+102B after a letter: clip counts it as no column, the table's width as one), and pushed the next
    column's border along; every control, format, mark or wide character is tried at the cut."""
    chars = [chr(code) for code in range(0x3100) if not 0xD800 <= code <= 0xDFFF
             and unicodedata.category(chr(code))[0] in "CMZ" or unicodedata.east_asian_width(chr(code)) == "W"]
    for char in chars + ["\x00", "\u102b", "\U000e0041", "\ufe0f", "\u200d"]:
        for lead in range(3):  # the character just before, at and after the cut
            value = "x" * (MAX_CELL - 2 - lead) + char * 3 + "tail" * 30
            lines, made = table([(literal(value), literal("z")), (literal("Mali"), literal("z"))], room=room)
            assert made.cut == 1 and len(_column_starts(lines[1:])) == 1, (hex(ord(char)), lines)


def test_a_variables_name_longer_than_its_column_is_cut_as_a_value_is():
    """A header was never cut: a variable named at 100 characters, or a table narrowed to a terminal, moved the
    header's border past the rows'."""
    lines, made = table([(literal("x"), literal("z"))], variables=("a" * 100, "w"))
    assert len(_column_starts(lines)) == 1 and lines[0].startswith("?" + "a" * (MAX_CELL - 2) + "…") and made.cut == 1
    lines, made = table([(literal("x" * 40), literal("z"))], variables=("v" * 30, "w" * 30), room=30)
    assert len(_column_starts(lines)) == 1 and all(wcswidth(line) <= 30 for line in lines), lines
    lines, made = table([(literal("x"), literal("z"))], variables=("a" * 100, "w"), wide=True)
    assert made.cut == 0 and lines[0].startswith("?" + "a" * 100 + "  ?w")
