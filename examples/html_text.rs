//! Prints the text view dechrome makes of a dev set's `html/` pages, as JSONL `{id, text}`,
//! to compare with the set's `pages.jsonl` (Resiliparse's text view), and with `--dom` each
//! line's DOM path signature and link density (`"dom": [[path, density], ...]`).
//!
//! usage: cargo run --release --example html_text -- DEVSET_DIR [--dom] > view.jsonl

use std::io::Write;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("DEVSET_DIR"));
    let dom = std::env::args().any(|a| a == "--dom");
    let pages = std::fs::read_to_string(dir.join("pages.jsonl")).expect("pages.jsonl");
    let mut out = std::io::stdout().lock();
    for line in pages.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let id = v["id"].as_str().expect("id");
        let safe: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let bytes = std::fs::read(dir.join("html").join(format!("{safe}.html"))).expect("html");
        let (html, _) = dechrome::input::decode_html(&bytes, None);
        let b = dechrome::input::html_to_blocks(&html);
        let mut o = serde_json::json!({"id": id, "text": b.text});
        if dom {
            let d: Vec<_> = b.dom.iter().map(|d| (&d.path, d.link_density)).collect();
            o["dom"] = serde_json::json!(d);
        }
        writeln!(out, "{o}").unwrap();
    }
}
