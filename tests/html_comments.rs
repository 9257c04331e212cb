//! DOM evidence end to end on a small handwritten HTML crawl: a blog whose posts carry a
//! comment section (removed as `dom-comments`), a discussion page of the same blog that is
//! only comments (kept), and a lone page of another site whose comments are signed as the
//! blog's are (removed as an `item-list`).

mod io_support;

use io_support::*;

const WORDS: [&str; 24] = [
    "harbour", "lantern", "meadow", "quarry", "orchard", "glacier", "canyon", "prairie", "lagoon",
    "thicket", "summit", "estuary", "marsh", "plateau", "delta", "ridge", "grove", "fjord", "dune",
    "basin", "cove", "heath", "moor", "valley",
];

/// A sentence of prose about `a` and `b`, different for each `(a, b, k)`.
fn prose(a: &str, b: &str, k: usize) -> String {
    format!(
        "The walk from the {a} to the {b} took {k} hours, and on the way we counted birds, \
         talked about the weather and stopped twice for bread and cheese."
    )
}

fn comments(i: usize) -> String {
    (0..3)
        .map(|c| {
            let (a, b) = (WORDS[(i + c + 5) % 24], WORDS[(2 * i + c + 11) % 24]);
            format!(
                "<div class=\"comment\" id=\"comment-{c}{i}\"><p class=\"comment-author\">Reader {c}</p>\
                 <div class=\"comment-body\"><p>I loved reading this. {}</p></div></div>",
                prose(a, b, 40 + c + i)
            )
        })
        .collect()
}

/// One post of the blog: menu, article (three paragraphs), comment section.
fn post(i: usize) -> String {
    let paras: String = (0..3)
        .map(|k| {
            format!(
                "<p>{}</p>",
                prose(WORDS[(i + k) % 24], WORDS[(i * 7 + k + 3) % 24], i * 3 + k)
            )
        })
        .collect();
    format!(
        "<html><body><nav class=\"menu\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/about\">About</a></li></ul></nav>\
         <article class=\"post\"><h1>Notes from the {w}</h1><div class=\"entry\">{paras}</div></article>\
         <div id=\"comments\"><h3>Comments</h3>{}</div></body></html>",
        comments(i),
        w = WORDS[i % 24]
    )
}

/// Why each comment of a page went.
fn comment_reasons(removed: &[(String, String)]) -> Vec<&str> {
    (removed.iter())
        .filter(|(t, _)| t.starts_with("I loved reading this"))
        .map(|(_, r)| r.as_str())
        .collect()
}

#[test]
fn a_blogs_comment_section_goes_and_a_lone_page_signed_alike_loses_its_own() {
    let mut pages: Vec<(String, String, String)> = (0..8)
        .map(|i| {
            (
                format!("post{i}"),
                format!("http://blog.example.org/{i}"),
                post(i),
            )
        })
        .collect();
    // A discussion page of the same blog: only comments, no article of its own.
    pages.push((
        "thread".into(),
        "http://blog.example.org/talk".into(),
        format!(
            "<html><body><nav class=\"menu\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/about\">About</a></li></ul></nav>\
             <div id=\"comments\">{}</div></body></html>",
            comments(17)
        ),
    ));
    // A lone page of another site: nothing shows its comments recur below its articles, but
    // it signs them as the blog does ("Reader 0", its numbers folded): the crawl's stamp, item
    // after item, marks a list of items, and the comments go as one (not by the DOM, which
    // has no other page of the site to go by).
    pages.push(("lone".into(), "http://other.example.net/x".into(), post(9)));
    let out = clean_html(&pages);
    for i in 0..8 {
        let (kept, removed) = &out[&format!("post{i}")];
        // Per block: the article's paragraphs stay, every comment goes as the comment section.
        for k in 0..3 {
            let para = prose(WORDS[(i + k) % 24], WORDS[(i * 7 + k + 3) % 24], i * 3 + k);
            assert!(kept.contains(&para), "post{i}: {kept}\n{removed:?}");
        }
        assert!(!kept.contains("I loved reading this"), "post{i}: {kept}");
        let reasons = comment_reasons(removed);
        assert_eq!(reasons, ["dom-comments"; 3], "post{i}: {removed:?}");
        assert!(!kept.contains("Home"), "post{i}: {kept}");
    }
    let (thread, _) = &out["thread"];
    assert_eq!(
        thread.matches("I loved reading this").count(),
        3,
        "{thread}"
    );
    let (lone, removed) = &out["lone"];
    assert!(!lone.contains("I loved reading this"), "{lone}");
    assert_eq!(comment_reasons(removed), ["item-list"; 3], "{removed:?}");
    for k in 0..3 {
        let para = prose(WORDS[(9 + k) % 24], WORDS[(63 + k + 3) % 24], 27 + k);
        assert!(lone.contains(&para), "{lone}");
    }
}
