"""PDF rendering with WeasyPrint: real CJK fonts, HarfBuzz subsetting, no network, no files.

Templates for print are rendered from plain dicts, never ORM objects, then handed here.
The URL fetcher refuses everything except data: URIs (and the fonts this module hands it), so a
name like <img src="file:///etc/passwd"> typed into a form can never make the engine read a file.

Why our own font subset: WeasyPrint embeds a subset of the font but keeps every glyph id up to
the highest one used (its subsetter runs with "retain gids"). Chinese glyphs sit at ids 20,000 to
60,000 in Noto Sans CJK, so a one-page receipt carried ~230 KB of empty glyph slots and spent
~80 ms copying and subsetting the 20 MB font collection. Instead HarfBuzz cuts the font down to
the characters this process has printed (under 1 ms), and that small font is served to WeasyPrint
through @font-face: glyph ids are then small, a receipt ~25 KB, and the render three times
faster. Templates keep naming the family "Noto Sans CJK SC" (CJK_FAMILY); render_pdf puts the
subset family in front of it, and a character the subset lacks still falls back to the installed
font, never to a box.
"""
import atexit
import ctypes.util
import logging
import subprocess
import threading
from functools import lru_cache

CJK_FAMILY = "Noto Sans CJK SC"
DOC_FAMILY = "LX Doc CJK"  # our subset of CJK_FAMILY (see _ThreadFonts)

# Always in the subset: text WeasyPrint may generate that is not in the HTML source
# (page counters, list markers, hyphens, ellipsis).
_ALWAYS = frozenset(range(0x20, 0x7F)) | frozenset(map(ord, "‐–—…·•¥。，、：；（）"))

log = logging.getLogger(__name__)


class PdfEngineMissing(RuntimeError):
    """Raised instead of rendering boxes where Chinese characters should be."""


# --- engine check -----------------------------------------------------------------------------

def _fc_list(*args) -> str:
    try:
        return subprocess.run(["fc-list", *args], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def cjk_font_present() -> bool:
    out = _fc_list(":lang=zh", "family")
    return "CJK" in out or "Noto Sans SC" in out


def harfbuzz_subset_present() -> bool:
    return bool(ctypes.util.find_library("harfbuzz-subset"))


def pango_present() -> bool:
    return bool(ctypes.util.find_library("pango-1.0"))


FONT_MISSING = "找不到中文字体（Noto Sans CJK）。请安装：apt-get install fonts-noto-cjk"
SUBSET_MISSING = "缺少 HarfBuzz 字体子集库，生成一张收据要数秒。请安装：apt-get install libharfbuzz-subset0"
PANGO_MISSING = "缺少 Pango。请安装：apt-get install libpango-1.0-0 libpangoft2-1.0-0"


@lru_cache(maxsize=1)
def engine_problems() -> tuple[str, ...]:
    """What is missing for correct, fast PDFs, each with the command that fixes it."""
    problems = []
    if not cjk_font_present():
        problems.append(FONT_MISSING)
    if not harfbuzz_subset_present():
        problems.append(SUBSET_MISSING)
    if not pango_present():
        problems.append(PANGO_MISSING)
    return tuple(problems)


def require_engine():
    """Refuse when the PDF would show boxes (no CJK font) or cannot be made at all (no Pango).
    Without HarfBuzz-subset a PDF takes seconds but is right: that one is only reported."""
    fatal = [p for p in engine_problems() if p != SUBSET_MISSING]
    if fatal:
        raise PdfEngineMissing("；".join(fatal))


# --- per-document font subsets ----------------------------------------------------------------

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
hb_blob_t *hb_blob_create_from_file(const char *file_name);
unsigned int hb_blob_get_length(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
void hb_blob_destroy(hb_blob_t *blob);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
void hb_face_collect_unicodes(hb_face_t *face, hb_set_t *out);
void hb_face_destroy(hb_face_t *face);
hb_set_t *hb_set_create(void);
void hb_set_destroy(hb_set_t *set);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
hb_bool_t hb_set_next(const hb_set_t *set, hb_codepoint_t *codepoint);
hb_tag_t hb_tag_from_string(const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_SUBSET_NO_HINTING = 0x1
_HB_SUBSET_DESUBROUTINIZE = 0x4
_HB_SUBSET_SETS_DROP_TABLE_TAG = 3
# Vertical metrics and OpenType layout are not needed for horizontal Chinese and Latin text;
# dropping them keeps the subset (and Pango's work) small.
_DROP_TABLES = (b"GSUB", b"GPOS", b"BASE", b"JSTF", b"VORG", b"vhea", b"vmtx", b"DSIG")


class _Face:
    """One face of an installed font file, opened once (memory-mapped) and subset per document."""

    def __init__(self, ffi, hb, hbs, path: str, index: int):
        self.ffi, self.hb, self.hbs = ffi, hb, hbs
        self.path, self.index = path, index
        blob = hb.hb_blob_create_from_file(path.encode())
        if not hb.hb_blob_get_length(blob):
            hb.hb_blob_destroy(blob)
            raise OSError(f"cannot read {path}")
        self._face = hb.hb_face_create(blob, index)
        hb.hb_blob_destroy(blob)  # the face keeps its own reference
        self.codepoints = self._collect_unicodes()

    def _collect_unicodes(self) -> frozenset:
        hb, ffi = self.hb, self.ffi
        s = hb.hb_set_create()
        try:
            hb.hb_face_collect_unicodes(self._face, s)
            cp = ffi.new("hb_codepoint_t *", 0xFFFFFFFF)  # HB_SET_VALUE_INVALID: start
            out = []
            while hb.hb_set_next(s, cp):
                out.append(cp[0])
            return frozenset(out)
        finally:
            hb.hb_set_destroy(s)

    def subset(self, codepoints) -> bytes | None:
        hb, hbs, ffi = self.hb, self.hbs, self.ffi
        inp = hbs.hb_subset_input_create_or_fail()
        if inp == ffi.NULL:
            return None
        try:
            unicodes = hbs.hb_subset_input_unicode_set(inp)
            for c in codepoints:
                hb.hb_set_add(unicodes, c)
            drop = hbs.hb_subset_input_set(inp, _HB_SUBSET_SETS_DROP_TABLE_TAG)
            for tag in _DROP_TABLES:
                hb.hb_set_add(drop, hb.hb_tag_from_string(tag, 4))
            hbs.hb_subset_input_set_flags(inp, _HB_SUBSET_NO_HINTING | _HB_SUBSET_DESUBROUTINIZE)
            face = hbs.hb_subset_or_fail(self._face, inp)
        finally:
            hbs.hb_subset_input_destroy(inp)
        if face == ffi.NULL:
            return None
        blob = hb.hb_face_reference_blob(face)
        try:
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(blob, length)
            return bytes(ffi.buffer(data, length[0])) if length[0] else None
        finally:
            hb.hb_blob_destroy(blob)
            hb.hb_face_destroy(face)


def _font_file(style: str) -> tuple[str, int] | None:
    """(path, face index) of CJK_FAMILY in this style, as fontconfig knows it."""
    out = _fc_list(f"{CJK_FAMILY}:style={style}", "file", "index")
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        if path and "index=" in rest:
            return path, int(rest.split("index=")[1].split(":")[0])
    return None


_faces_lock = threading.Lock()
_faces: dict | None = None


def _doc_faces() -> dict:
    """{"400": _Face, "700": _Face} for the installed CJK font; {} when subsetting is unavailable
    (then WeasyPrint embeds from the installed font itself: correct, only slower and bigger)."""
    global _faces
    if _faces is None:
        with _faces_lock:
            if _faces is None:
                _faces = _open_faces()
    return _faces


def _open_faces() -> dict:
    if not (harfbuzz_subset_present() and cjk_font_present()):
        return {}
    try:
        import cffi
        ffi = cffi.FFI()
        ffi.cdef("typedef int hb_bool_t;" + _CDEF)
        hb = ffi.dlopen(ctypes.util.find_library("harfbuzz") or "libharfbuzz.so.0")
        hbs = ffi.dlopen(ctypes.util.find_library("harfbuzz-subset") or "libharfbuzz-subset.so.0")
        faces = {}
        for weight, style in (("400", "Regular"), ("700", "Bold")):
            if found := _font_file(style):
                faces[weight] = _Face(ffi, hb, hbs, *found)
        return faces
    except (OSError, AttributeError, ValueError) as e:  # old HarfBuzz, unreadable font file
        log.warning("per-document font subsets unavailable (%s); PDFs will be larger and slower", e)
        return {}


def doc_font_codepoints(html: str) -> frozenset:
    return frozenset(ord(c) for c in html) | _ALWAYS


def uncovered_characters(text: str) -> str:
    """Characters of `text` the CJK font cannot draw (another installed font may)."""
    faces = _doc_faces()
    if "400" not in faces:
        return ""
    covered = faces["400"].codepoints
    return "".join(sorted(c for c in set(text) if ord(c) not in covered and c.isprintable() and not c.isspace()))


@lru_cache(maxsize=4096)
def _some_font_has(char: str) -> bool:
    return bool(_fc_list(f":charset={ord(char):x}", "family").strip())


def undrawable_characters(text: str) -> str:
    """Characters of `text` that no installed font can draw: they would print as boxes."""
    return "".join(c for c in uncovered_characters(text) if not _some_font_has(c))


def _refuse_boxes(text: str):
    if chars := undrawable_characters(text):
        raise PdfEngineMissing(f"没有字体能显示「{chars}」，打印出来会是方框。请安装：apt-get install fonts-hanazono")


# --- rendering --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        """data: URIs and our own in-memory fonts; nothing from the network or the disk."""

        def __init__(self, resources: dict):
            super().__init__(allowed_protocols={"data"})
            self.resources = resources

        def fetch(self, url, headers=None):
            if url in self.resources:
                return URLFetcherResponse(url, self.resources[url], {"Content-Type": "font/otf"})
            if not url.startswith("data:"):
                raise ValueError(f"PDF rendering may not fetch {url[:60]}")
            return super().fetch(url, headers)

    return Fetcher


def _fetcher(resources: dict | None = None):
    return _fetcher_class()(resources or {})


def _use_doc_family(html: str) -> str:
    # Only CSS contains the quoted family name: Jinja escapes quotes in text and attributes.
    # Same quotes as found, so a family named inside style="..." keeps the attribute intact.
    for q in ('"', "'"):
        html = html.replace(f"{q}{CJK_FAMILY}{q}", f"{q}{DOC_FAMILY}{q}, {q}{CJK_FAMILY}{q}")
    return html


class _ThreadFonts(threading.local):
    """This thread's font configuration and the subset font registered in it.

    A fresh FontConfiguration per document costs ~25 ms (Pango and fontconfig find and load the
    fonts again); one kept per thread is warm. Its font covers every character this process has
    printed so far, grown (by a new configuration) when a document brings new characters, so
    after the first receipts of a village it rarely changes. The PDF still embeds only the glyphs
    it uses, and the glyph ids stay below the number of characters seen."""
    codepoints: frozenset = frozenset()
    font_config = None
    stylesheet = None


_thread_fonts = _ThreadFonts()
# Drop the main thread's configuration while the interpreter is still whole (its cleanup
# removes a temporary folder and fails noisily once modules are torn down).
atexit.register(lambda: _thread_fonts.__dict__.clear())
# Beyond this many characters kept, start again from the document's own: the glyph ids of a
# receipt, and so its size, stay small (~4,000 ids cost ~15 KB at worst).
MAX_KEPT_CODEPOINTS = 4000
_seen_codepoints: frozenset = frozenset()
_seen_lock = threading.Lock()


def _doc_fonts(text: str):
    """(font_config, stylesheet with the @font-face rules) covering `text`, or (None, None)."""
    faces = _doc_faces()
    if not faces:
        return None, None
    # Only what the font can draw: anything else falls back to other fonts and must not force
    # a new configuration on every document.
    needed = doc_font_codepoints(text) & faces["400" if "400" in faces else next(iter(faces))].codepoints
    state = _thread_fonts
    if state.font_config is None or not needed <= state.codepoints:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        global _seen_codepoints
        with _seen_lock:  # what any thread has printed: the other threads need not rebuild for it
            union = _seen_codepoints = needed | _seen_codepoints
            if len(union) > MAX_KEPT_CODEPOINTS:
                union = _seen_codepoints = needed
        resources, rules = {}, []
        for weight, face in faces.items():
            if data := face.subset(union):
                url = f"lx-font:{weight}"
                resources[url] = data
                rules.append(f'@font-face {{ font-family: "{DOC_FAMILY}"; font-weight: {weight}; src: url({url}); }}')
        if not rules:
            return None, None
        font_config = FontConfiguration()
        state.stylesheet = CSS(string="\n".join(rules), font_config=font_config, url_fetcher=_fetcher(resources))
        state.font_config, state.codepoints = font_config, union
    return state.font_config, state.stylesheet


@lru_cache(maxsize=32)
def _stylesheet(css: str):
    """A parsed stylesheet, kept: parsing costs several ms per document, and a CSS object holds no
    per-document state."""
    from weasyprint import CSS
    return CSS(string=_use_doc_family(css) if _doc_faces() else css, url_fetcher=_fetcher())


def render_pdf(html: str, *, css: str | None = None, crop_after: str | None = None) -> bytes:
    """HTML to PDF bytes. CSS may be inline in the HTML (<style>) or, better for documents
    rendered often, passed as `css`: then it is parsed once per process, not once per document.

    crop_after: the id of an element at the end of the content; the page containing it is cut
    where that element begins. For roll paper (thermal printers), whose pages have no fixed
    length: lay out on a tall page, then end the page where the receipt ends."""
    require_engine()
    from weasyprint import HTML

    _refuse_boxes(html)
    stylesheets = [_stylesheet(css)] if css else []
    font_config, faces = _doc_fonts(html + (css or ""))
    if faces is not None:
        html = _use_doc_family(html)
        stylesheets.append(faces)
    document = HTML(string=html, url_fetcher=_fetcher(), base_url=None).render(
        stylesheets=stylesheets, font_config=font_config)
    if crop_after:
        for page in document.pages:
            if crop_after in page.anchors:
                page.height = min(page.height, page.anchors[crop_after][1])
    return document.write_pdf()


def render_pdf_plain(html: str, css: str | None = None) -> bytes:
    """The straightforward WeasyPrint call (installed font, CSS parsed each time), for comparison
    in the benchmarks."""
    from weasyprint import CSS, HTML
    stylesheets = [CSS(string=css)] if css else []
    return HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf(stylesheets=stylesheets)
