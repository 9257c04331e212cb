//! Visible text of an HTML page, one block per line, for WARC `response` records.
//!
//! The page is tokenized by the WHATWG rules (no tree is built, so the cost is one pass over
//! the bytes): by a fast tokenizer of our own ([`tok`]) that reads what html5ever's
//! spec-compliant one reads, and by html5ever's for the few pages it gives up on. Text inside `script`, `style`, `noscript`, `template`,
//! `head` (the title included), `select`, `svg` and `math` is dropped; block-level elements and
//! `<br>` end a line; the cells of one table row stay on one line, separated by tabs; runs of
//! white space collapse to one space (kept as is inside `pre`); empty lines are dropped. This
//! mirrors the "text view" of a WET-like scraper, so HTML crawls go through the same pipeline
//! as WET ones.
//!
//! Beside the text, [`html_to_blocks`] gives each line what the DOM says about it
//! ([`BlockDom`]): its path signature (the block-level elements on the way down, with their
//! first class and id tokens, digits folded, the innermost [`PATH_DEPTH`]) and its link
//! density. No tree is built for this either: a stack of open elements, bounded at
//! [`MAX_OPEN`], closed the way a browser closes them for the common cases (a block start ends
//! an open `<p>`, `<li>` ends the open `<li>`, cells end cells, an end tag closes up to its
//! element), so broken or very deep markup costs no more than well-formed markup.
//!
//! Byte decoding: a BOM wins; then strict UTF-8; then, when the HTTP header or a `<meta>` names
//! UTF-8, UTF-8 with replacement characters; otherwise windows-1252 (the web's de-facto
//! default for legacy pages, which decodes any byte). [`decode_html`] says whether the
//! decoding was lossy.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

mod tok;

/// Decodes the bytes of an HTML document. `charset` is the one an HTTP header named, if any.
/// Returns the text and whether bytes had to be replaced (U+FFFD) because they were not
/// valid in the encoding the page names.
pub fn decode_html(bytes: &[u8], charset: Option<&str>) -> (String, bool) {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return (String::from_utf8_lossy(rest).into_owned(), false);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_owned(), false);
    }
    let named = charset.map(str::to_ascii_lowercase).or_else(|| {
        let head = &bytes[..bytes.len().min(4096)];
        let head = String::from_utf8_lossy(head).to_ascii_lowercase();
        head.find("charset=").map(|i| {
            head[i + 8..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
    });
    if named
        .as_deref()
        .is_some_and(|c| c == "utf-8" || c == "utf8")
    {
        return (String::from_utf8_lossy(bytes).into_owned(), true);
    }
    (bytes.iter().map(|&b| cp1252(b)).collect(), false)
}

/// [`decode_html`] of bytes it may keep: valid UTF-8 (the common case) becomes the text
/// without a copy.
pub(crate) fn decode_html_owned(bytes: Vec<u8>, charset: Option<&str>) -> (String, bool) {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        return decode_html(&bytes, charset);
    }
    match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => decode_html(e.as_bytes(), charset),
    }
}

/// windows-1252 to Unicode (bytes 0x80..0x9f differ from Latin-1).
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20ac}', '\u{fffd}', '\u{201a}', '\u{0192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02c6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{fffd}',
        '\u{017d}', '\u{fffd}', '\u{fffd}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02dc}', '\u{2122}', '\u{0161}', '\u{203a}',
        '\u{0153}', '\u{fffd}', '\u{017e}', '\u{0178}',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Elements whose start and end tags end a line.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
            | "option"
            | "listing"
            | "plaintext"
            | "xmp"
    )
}

/// Elements whose content is not shown: the name, as a static string the stack of hidden
/// elements can hold without an allocation.
fn hidden_name(name: &str) -> Option<&'static str> {
    const HIDDEN: [&str; 14] = [
        "script", "style", "noscript", "template", "head", "title", "select", "svg", "math",
        "iframe", "noembed", "noframes", "object", "textarea",
    ];
    HIDDEN.iter().find(|h| **h == name).copied()
}

/// Elements that may stand in `<head>`; any other start tag ends an unclosed head.
fn in_head(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "meta"
            | "link"
            | "title"
            | "style"
            | "script"
            | "noscript"
            | "base"
            | "template"
            | "html"
            | "object"
            | "param"
    )
}

/// The innermost block-level elements a path signature names.
pub const PATH_DEPTH: usize = 8;
/// Open elements tracked at most; deeper ones are not pushed (their end tags find nothing
/// to close), so 10k-deep nesting costs bounded memory.
pub const MAX_OPEN: usize = 512;
/// End tags look this far down the stack for their element; further down, a stray end tag
/// would close half the page (a browser's "in scope" rules stop it at containers).
const END_TAG_REACH: usize = 64;

/// What the DOM says about one line of an HTML page's text view.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockDom {
    /// The path signature: `tag.class#id` of the innermost [`PATH_DEPTH`] block-level
    /// elements above the line's first text, outermost first, joined by `>`; class and id
    /// tokens lower-cased, digit runs folded to `0`, at most two classes, each token at most
    /// 24 bytes. `html` and `body` are left out.
    pub path: String,
    /// The share of the line's characters (white space not counted) inside `<a href>`.
    pub link_density: f32,
}

/// An HTML page's text view with its DOM side array: `dom[i]` describes line `i` of `text`.
#[derive(Debug, Clone, Default)]
pub struct HtmlBlocks {
    /// The visible text, one block per line (what [`html_to_text`] returns).
    pub text: String,
    /// One entry per line of `text`.
    pub dom: Vec<BlockDom>,
}

/// An open element: its name and its signature part (`tag.class#id`), or `None` for inline
/// elements, which paths leave out.
struct Open {
    name: String,
    sig: Option<String>,
}

/// A tag as the text view reads it, from html5ever's tokenizer or the fast one ([`tok`]):
/// the name (ASCII lower-cased) and the first `class`, `id` and `href` attributes (a
/// browser drops later duplicates).
pub(super) struct TagView<'a> {
    start: bool,
    name: &'a str,
    self_closing: bool,
    class: Option<&'a str>,
    id: Option<&'a str>,
    /// `id` came before `class` (the signature names them in source order).
    id_first: bool,
    href: bool,
}

impl<'a> TagView<'a> {
    /// The view of an html5ever tag (whose tokenizer already dropped duplicate attributes).
    fn of(tag: &'a Tag) -> TagView<'a> {
        let mut v = TagView {
            start: tag.kind == TagKind::StartTag,
            name: &tag.name,
            self_closing: tag.self_closing,
            class: None,
            id: None,
            id_first: false,
            href: false,
        };
        for a in &tag.attrs {
            match &*a.name.local {
                "class" => v.class = Some(&a.value),
                "id" => {
                    v.id = Some(&a.value);
                    v.id_first = v.class.is_none();
                }
                "href" => v.href = true,
                _ => {}
            }
        }
        v
    }
}

/// Lower-cases a class or id token, folds digit runs to `0` (`post-1234` and `post-99` are
/// one path) and cuts it at 24 bytes.
fn fold_token(t: &str, out: &mut String) {
    let start = out.len();
    let mut digit = false;
    for c in t.chars() {
        if out.len() - start >= 24 {
            break;
        }
        if c.is_ascii_digit() {
            if !digit {
                out.push('0');
            }
            digit = true;
            continue;
        }
        digit = false;
        out.extend(c.to_lowercase());
    }
}

/// The signature part of a block-level start tag.
fn sig_of(tag: &TagView) -> String {
    let mut s = tag.name.to_string();
    let id = |s: &mut String| {
        if let Some(id) = tag.id.filter(|id| !id.is_empty()) {
            s.push('#');
            fold_token(id, s);
        }
    };
    if tag.id_first {
        id(&mut s);
    }
    for t in tag.class.unwrap_or("").split_ascii_whitespace().take(2) {
        s.push('.');
        fold_token(t, &mut s);
    }
    if !tag.id_first {
        id(&mut s);
    }
    s
}

/// Elements that have no end tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
    )
}

/// For a start tag a browser closes an open element for: the element it closes and the
/// containers that stop the search (`<li>` closes the open `<li>` of its own list only).
fn implied_close(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const LISTS: &[&str] = &["ul", "ol", "menu", "dir", "table"];
    const CELLS: &[&str] = &["tr", "table", "tbody", "thead", "tfoot"];
    const ROWS: &[&str] = &["table", "tbody", "thead", "tfoot"];
    match name {
        "li" => Some((&["li"], LISTS)),
        "dd" | "dt" => Some((&["dd", "dt"], &["dl"])),
        "td" | "th" => Some((&["td", "th"], CELLS)),
        "tr" => Some((&["tr"], ROWS)),
        "option" => Some((&["option"], &["select", "datalist"])),
        _ => None,
    }
}

#[derive(Default)]
struct State {
    out: String,
    /// The DOM side array, one entry per line pushed to `out`.
    dom: Vec<BlockDom>,
    /// Open elements, outermost first (at most [`MAX_OPEN`]).
    open: Vec<Open>,
    /// Inside `<a href>`.
    link: bool,
    /// The current line has had text: its path is taken.
    started: bool,
    /// The current line's path signature.
    path: String,
    /// Characters of the current line, and those inside links.
    chars: u32,
    link_chars: u32,
    /// The current line, white space already collapsed.
    line: String,
    /// Names of the hidden elements we are inside, innermost last.
    hidden: Vec<&'static str>,
    pre: usize,
    /// A space is owed before the next word of this line.
    space: bool,
    /// The row has had a cell: the next cell starts with a tab.
    cell: bool,
}

impl State {
    fn end_line(&mut self) {
        let t = self.line.trim();
        if !t.is_empty() {
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            self.out.push_str(t);
            let link_density = if self.chars == 0 {
                0.0
            } else {
                self.link_chars as f32 / self.chars as f32
            };
            let path = std::mem::take(&mut self.path);
            self.dom.push(BlockDom { path, link_density });
        }
        self.path.clear();
        self.started = false;
        self.chars = 0;
        self.link_chars = 0;
        self.line.clear();
        self.space = false;
        self.cell = false;
    }

    fn text(&mut self, s: &str) {
        if !self.hidden.is_empty() {
            return;
        }
        if self.pre > 0 {
            for (i, part) in s.split('\n').enumerate() {
                if i > 0 {
                    self.end_line();
                }
                self.note(part);
                self.line.push_str(part);
            }
            return;
        }
        for (i, word) in s.split(|c: char| c.is_whitespace()).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.space && !self.line.is_empty() && !self.line.ends_with('\t') {
                self.line.push(' ');
            }
            self.space = false;
            // A word has no white space: all its characters count.
            self.count(word.chars().count() as u32);
            self.line.push_str(word);
        }
    }

    /// Counts the characters of text going into the line (and those in links), and takes the
    /// line's path at its first text.
    fn note(&mut self, s: &str) {
        self.count(s.chars().filter(|c| !c.is_whitespace()).count() as u32);
    }

    /// [`note`](Self::note) of text with `n` characters that are not white space.
    fn count(&mut self, n: u32) {
        if n == 0 {
            return;
        }
        if !self.started {
            self.started = true;
            self.path = self.path_signature();
        }
        self.chars = self.chars.saturating_add(n);
        if self.link {
            self.link_chars = self.link_chars.saturating_add(n);
        }
    }

    /// The signature of the open block-level elements (see [`BlockDom::path`]).
    fn path_signature(&self) -> String {
        let sigs: Vec<&str> = self
            .open
            .iter()
            .filter_map(|o| o.sig.as_deref())
            .filter(|s| !s.starts_with("html") && !s.starts_with("body"))
            .collect();
        sigs[sigs.len().saturating_sub(PATH_DEPTH)..].join(">")
    }

    /// Keeps the stack of open elements as a browser would for the common cases.
    fn track(&mut self, tag: &TagView, name: &str) {
        if !tag.start {
            let floor = self.open.len().saturating_sub(END_TAG_REACH);
            if let Some(i) = self.open[floor..].iter().rposition(|o| o.name == tag.name) {
                self.open.truncate(floor + i);
            }
            if name == "a" {
                self.link = false;
            }
            return;
        }
        if name == "a" {
            // A new link ends an unclosed one, as in a browser.
            self.link = tag.href;
        }
        if let Some((closes, stops)) = implied_close(name) {
            self.close_open(closes, stops);
        } else if is_block(name) {
            // A block start ends an open paragraph.
            self.close_open(&["p"], &[]);
        }
        if tag.self_closing || is_void(name) || self.open.len() >= MAX_OPEN {
            return;
        }
        let sig = is_block(name).then(|| sig_of(tag));
        self.open.push(Open {
            name: name.to_owned(),
            sig,
        });
    }

    /// Closes the innermost open element named in `closes`, unless a block-level element
    /// (or one of `stops`) is open inside it.
    fn close_open(&mut self, closes: &[&str], stops: &[&str]) {
        for i in (0..self.open.len()).rev() {
            let n: &str = &self.open[i].name;
            if closes.contains(&n) {
                self.open.truncate(i);
                return;
            }
            if stops.contains(&n) || (stops.is_empty() && self.open[i].sig.is_some()) {
                return;
            }
            if self.open.len() - i > END_TAG_REACH {
                return;
            }
        }
    }

    fn tag(&mut self, tag: &TagView) -> TokenSinkResult<()> {
        let name = tag.name;
        let start = tag.start;
        if let Some(hidden) = hidden_name(name) {
            if start && !tag.self_closing {
                self.hidden.push(hidden);
                return match name {
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "noscript" | "iframe" | "noembed" | "noframes" => {
                        TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                    _ => TokenSinkResult::Continue,
                };
            } else if !start {
                if let Some(i) = self.hidden.iter().rposition(|h| *h == name) {
                    self.hidden.truncate(i);
                }
            }
            return TokenSinkResult::Continue;
        }
        if start && (name == "body" || !in_head(name)) {
            // A missing </head> (or a page with neither </head> nor <body>, as the parser of
            // a browser reads it: the first element that cannot be in the head opens the
            // body) must not hide the whole page.
            self.hidden.retain(|h| *h != "head" && *h != "title");
        }
        if !self.hidden.is_empty() {
            return TokenSinkResult::Continue;
        }
        if name != "br" {
            self.track(tag, name);
        }
        match name {
            "br" => self.end_line(),
            "td" | "th" => {
                if start {
                    if self.cell {
                        self.line.push('\t');
                        self.space = false;
                    }
                    self.cell = true;
                } else {
                    self.space = true;
                }
            }
            "pre" | "listing" => {
                self.end_line();
                if start {
                    self.pre += 1;
                } else {
                    self.pre = self.pre.saturating_sub(1);
                }
            }
            n if is_block(n) => self.end_line(),
            "img" | "input" | "wbr" => self.space = true,
            _ => {}
        }
        if start && name == "plaintext" {
            return TokenSinkResult::Plaintext;
        }
        TokenSinkResult::Continue
    }
}

struct Sink(RefCell<State>);

impl TokenSink for Sink {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut st = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => return st.tag(&TagView::of(&tag)),
            Token::CharacterTokens(t) => st.text(&t),
            Token::EOFToken => st.end_line(),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The visible text of an HTML document, one block per line.
pub fn html_to_text(html: &str) -> String {
    html_to_blocks(html).text
}

/// A record's text field as read: HTML turned into its text view and DOM side array when
/// the field holds HTML (`--html-field`, as a WARC response is read), else the text as it is.
/// Borrowed HTML (a Parquet column) is read in place: only the text view is allocated.
pub(crate) fn field_blocks(text: Cow<'_, str>, is_html: bool) -> (String, Vec<BlockDom>) {
    if is_html {
        let HtmlBlocks { text, dom } = html_to_blocks(&text);
        (text, dom)
    } else {
        (text.into_owned(), Vec::new())
    }
}

/// The visible text of an HTML document, one block per line, with what the DOM says about
/// each line (see [`HtmlBlocks`]).
pub fn html_to_blocks(html: &str) -> HtmlBlocks {
    let mut st = State::default();
    if tok::tokenize(html, &mut st).is_err() {
        st = html5ever_state(html);
    }
    st.end_line();
    HtmlBlocks {
        text: st.out,
        dom: st.dom,
    }
}

/// [`html_to_blocks`] by html5ever's tokenizer alone: the reference the fast tokenizer
/// must match, for tests and the fuzz target.
#[doc(hidden)]
pub fn html_to_blocks_reference(html: &str) -> HtmlBlocks {
    let mut st = html5ever_state(html);
    st.end_line();
    HtmlBlocks {
        text: st.out,
        dom: st.dom,
    }
}

/// The state after html5ever's tokenizer fed the page to it.
fn html5ever_state(html: &str) -> State {
    let sink = Sink(RefCell::new(State::default()));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_hidden_text_is_dropped() {
        let html = "<!doctype html><html><head><title>T</title><style>p{x:1}</style>\
                    <script>if (a < b) { document.write('<p>no</p>'); }</script></head>\
                    <body><nav><ul><li>Home</li><li><a href=/n>News</a></li></ul></nav>\
                    <h1>Big   <b>story</b></h1><p>First &amp; second<br>line two</p>\
                    <noscript>enable js</noscript><table><tr><td>a</td><td>b</td></tr></table>\
                    <pre>x  y\nz</pre><div>tail</div></body></html>";
        assert_eq!(
            html_to_text(html),
            "Home\nNews\nBig story\nFirst & second\nline two\na\tb\nx  y\nz\ntail"
        );
    }

    #[test]
    fn unclosed_head_and_garbage_do_not_panic() {
        assert_eq!(html_to_text("<head><meta charset=x><body><p>hi"), "hi");
        // An unclosed <title> holds the rest of the page, as in a browser.
        assert_eq!(html_to_text("<head><title>x<body><p>hi"), "");
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<<<>>\0</p></p></script>"), "<<<>>");
    }

    #[test]
    fn decoding_prefers_utf8_then_cp1252() {
        assert_eq!(decode_html("café".as_bytes(), None), ("café".into(), false));
        assert_eq!(
            decode_html(b"caf\xe9 \x93q\x94", None),
            ("café “q”".into(), false)
        );
        let (s, lossy) = decode_html(b"<meta charset=utf-8>caf\xe9", None);
        assert!(lossy && s.ends_with('\u{fffd}'));
    }

    #[test]
    fn head_without_end_tag_or_body_ends_at_the_first_body_element() {
        // forbes.com 2009: neither </head> nor <body>; all its text was lost.
        let html = "<html><head><title>T</title><script>x</script><div id=a><p>Story";
        assert_eq!(html_to_text(html), "Story");
    }

    #[test]
    fn each_line_gets_its_path_and_link_density() {
        let html = "<body><div class='Nav main-nav x' id=top><ul><li><a href=/a>Home</a>\
                    <li><a href=/b>News</a></ul></div><article><div class=post-1234>\
                    <p>Body <a href=/x>link</a> text<p>Two</div></article>\
                    <section><p>x<div class=inner>y</div></section>";
        let b = html_to_blocks(html);
        assert_eq!(b.text, "Home\nNews\nBody link text\nTwo\nx\ny");
        let paths: Vec<&str> = b.dom.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "div.nav.main-nav#top>ul>li",
                "div.nav.main-nav#top>ul>li",
                "article>div.post-0>p",
                "article>div.post-0>p",
                "section>p",
                "section>div.inner",
            ]
        );
        let ld: Vec<f32> = b.dom.iter().map(|d| d.link_density).collect();
        assert_eq!(ld[0], 1.0);
        assert!((ld[2] - 4.0 / 12.0).abs() < 1e-6, "{ld:?}");
        assert_eq!(ld[3], 0.0);
    }

    #[test]
    fn deep_nesting_keeps_the_path_bounded() {
        let html = format!(
            "{}<p>deep</p>{}",
            "<div class=a>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let b = html_to_blocks(&html);
        assert_eq!(b.text, "deep");
        assert_eq!(b.dom[0].path.split('>').count(), PATH_DEPTH);
        let html = format!("{}<p>x", "<span><b><i>".repeat(5_000));
        assert_eq!(html_to_blocks(&html).text, "x");
    }

    #[test]
    fn fifty_megabytes_of_one_tag_or_binary_give_a_page() {
        let big = format!("<p>{}</p><p>end", "w ".repeat(25 << 20));
        let b = html_to_blocks(&big);
        assert_eq!(b.dom.len(), 2);
        assert!(b.text.ends_with("\nend"));
        let attr = format!("<div class=\"{}\">in</div>", "c".repeat(50 << 20));
        let b = html_to_blocks(&attr);
        assert_eq!((b.text.as_str(), b.dom[0].path.len()), ("in", 28));
        let bin: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let (s, _) = decode_html(&bin, Some("text/html"));
        let b = html_to_blocks(&s);
        assert_eq!(b.dom.len(), b.text.lines().count());
    }
}
