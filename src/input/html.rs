//! Visible text of an HTML page, one block per line, for WARC `response` records.
//!
//! The page is tokenized with html5ever's spec-compliant tokenizer (no tree is built, so the
//! cost is one pass over the bytes). Text inside `script`, `style`, `noscript`, `template`,
//! `head` (the title included), `select`, `svg` and `math` is dropped; block-level elements and
//! `<br>` end a line; the cells of one table row stay on one line, separated by tabs; runs of
//! white space collapse to one space (kept as is inside `pre`); empty lines are dropped. This
//! mirrors the "text view" of a WET-like scraper, so HTML crawls go through the same pipeline
//! as WET ones.
//!
//! Byte decoding: a BOM wins; then strict UTF-8; then, when the HTTP header or a `<meta>` names
//! UTF-8, UTF-8 with replacement characters; otherwise windows-1252 (the web's de-facto
//! default for legacy pages, which decodes any byte). [`decode_html`] says whether the
//! decoding was lossy.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

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

/// Elements whose content is not shown.
fn is_hidden(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "select"
            | "svg"
            | "math"
            | "iframe"
            | "noembed"
            | "noframes"
            | "object"
            | "textarea"
    )
}

/// Elements that may stand in `<head>`; any other start tag ends an unclosed head.
fn in_head(name: &str) -> bool {
    matches!(
        name,
        "head" | "meta" | "link" | "title" | "style" | "script" | "noscript" | "base" | "template"
            | "html" | "object" | "param"
    )
}

#[derive(Default)]
struct State {
    out: String,
    /// The current line, white space already collapsed.
    line: String,
    /// Names of the hidden elements we are inside, innermost last.
    hidden: Vec<String>,
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
        }
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
            self.line.push_str(word);
        }
    }

    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let start = tag.kind == TagKind::StartTag;
        if is_hidden(name) {
            if start && !tag.self_closing {
                self.hidden.push(name.to_owned());
                return match name {
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "noscript" | "iframe" | "noembed" | "noframes" => {
                        TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                    _ => TokenSinkResult::Continue,
                };
            } else if !start {
                if let Some(i) = self.hidden.iter().rposition(|h| h == name) {
                    self.hidden.truncate(i);
                }
            }
            return TokenSinkResult::Continue;
        }
        if start && (name == "body" || !in_head(name)) {
            // A missing </head> (or a page with neither </head> nor <body>, as the parser of
            // a browser reads it: the first element that cannot be in the head opens the
            // body) must not hide the whole page.
            self.hidden.retain(|h| h != "head" && h != "title");
        }
        if !self.hidden.is_empty() {
            return TokenSinkResult::Continue;
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
            Token::TagToken(tag) => return st.tag(&tag),
            Token::CharacterTokens(t) => st.text(&t),
            Token::EOFToken => st.end_line(),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The visible text of an HTML document, one block per line.
pub fn html_to_text(html: &str) -> String {
    let sink = Sink(RefCell::new(State::default()));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    let mut st = tok.sink.0.into_inner();
    st.end_line();
    st.out
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
}
