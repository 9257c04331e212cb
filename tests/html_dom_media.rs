//! DOM evidence end to end on a small handwritten HTML crawl of a blog: each post's title
//! links to the post's own page (kept as its header, not removed as links), a gallery's
//! captions and an embedded tweet beside the article go as `dom-media`, and an about box
//! whose prose varies among a few texts, under a path on every page that never holds the
//! article, goes as `dom-shared`. A gallery page with no article of its own keeps its
//! captions.

mod io_support;

use io_support::*;

const WORDS: [&str; 24] = [
    "harbour", "lantern", "meadow", "quarry", "orchard", "glacier", "canyon", "prairie", "lagoon",
    "thicket", "summit", "estuary", "marsh", "plateau", "delta", "ridge", "grove", "fjord", "dune",
    "basin", "cove", "heath", "moor", "valley",
];

/// Posts of the blog: enough that each about-box text (on two posts) stays under the
/// template share.
const POSTS: usize = 24;

/// A sentence of prose about `a` and `b`, different for each `(a, b, k)`.
fn prose(a: &str, b: &str, k: usize) -> String {
    format!(
        "The walk from the {a} to the {b} took {k} hours, and on the way we counted birds, \
         talked about the weather and stopped twice for bread and cheese."
    )
}

fn para(i: usize, k: usize) -> String {
    prose(WORDS[(i + k) % 24], WORDS[(i * 7 + k + 3) % 24], i * 3 + k)
}

fn caption(i: usize, c: usize) -> String {
    format!(
        "A photograph of the {} seen from the {} at dawn, number {c} of the set of post {i}.",
        WORDS[(i + c + 9) % 24],
        WORDS[(i + 2 * c + 13) % 24]
    )
}

fn about(i: usize) -> String {
    format!(
        "This blog is written by two walkers who like the {} and the {}, and it has been \
         going since the spring of {}.",
        WORDS[(i / 2) % 24],
        WORDS[(i / 2 + 5) % 24],
        1990 + i / 2
    )
}

/// A post's title: words of its own, so that it is not a templated line.
fn title(i: usize) -> String {
    format!("The {} and the {}", WORDS[i % 24], WORDS[(i + 3) % 24])
}

fn menu() -> &'static str {
    "<nav class=\"menu\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/about\">About</a></li></ul></nav>"
}

/// One post: menu, linked title, article (three paragraphs), gallery, embedded tweet, about
/// box.
fn post(i: usize) -> String {
    let paras: String = (0..3).map(|k| format!("<p>{}</p>", para(i, k))).collect();
    let gallery: String = (0..3)
        .map(|c| format!("<div class=\"gallery-item\"><p>{}</p></div>", caption(i, c)))
        .collect();
    format!(
        "<html><body>{menu}<div class=\"post\"><h2><a href=\"/post/{i}\">{title}</a></h2>\
         <div class=\"entry\">{paras}</div>\
         <div class=\"photo-gallery\">{gallery}</div>\
         <blockquote class=\"twitter-tweet\"><p>Just read the notes from the {w} and the {v}, \
         what a walk that was for the two of them, number {i}!</p></blockquote></div>\
         <div id=\"about\"><p>{about}</p></div></body></html>",
        menu = menu(),
        title = title(i),
        w = WORDS[i % 24],
        v = WORDS[(i + 3) % 24],
        about = about(i)
    )
}

/// The reason a removed block starting with `start` went with (`None`: not removed).
fn reason_of<'a>(removed: &'a [(String, String)], start: &str) -> Option<&'a str> {
    (removed.iter())
        .find(|(t, _)| t.starts_with(start))
        .map(|(_, r)| r.as_str())
}

#[test]
fn linked_titles_stay_and_set_in_media_and_shared_boilerplate_go() {
    let mut pages: Vec<(String, String, String)> = (0..POSTS)
        .map(|i| {
            let url = format!("http://blog.example.org/post/{i}");
            (format!("post{i}"), url, post(i))
        })
        .collect();
    // A gallery page of the same blog: its captions are all it has.
    let captions: String = (0..4)
        .map(|c| {
            format!(
                "<div class=\"gallery-item\"><p>{}</p></div>",
                caption(99, c)
            )
        })
        .collect();
    pages.push((
        "gallery".into(),
        "http://blog.example.org/photos".into(),
        format!(
            "<html><body>{}<div class=\"photo-gallery\">{captions}</div></body></html>",
            menu()
        ),
    ));
    let out = clean_html(&pages);
    for i in 0..POSTS {
        let (kept, removed) = &out[&format!("post{i}")];
        for k in 0..3 {
            assert!(kept.contains(&para(i, k)), "post{i}: {kept}\n{removed:?}");
        }
        // The title links to the post itself: its words are the article's, it stays.
        assert!(kept.starts_with(&title(i)), "post{i}: {kept}\n{removed:?}");
        for c in 0..3 {
            let cap = caption(i, c);
            assert_eq!(
                reason_of(removed, &cap),
                Some("dom-media"),
                "post{i}: {kept}"
            );
        }
        let tweet = reason_of(removed, "Just read the notes");
        assert_eq!(tweet, Some("dom-media"), "post{i}: {kept}");
        let about = reason_of(removed, "This blog is written");
        assert_eq!(about, Some("dom-shared"), "post{i}: {kept}\n{removed:?}");
        assert!(!kept.contains("Home"), "post{i}: {kept}");
    }
    let (gallery, removed) = &out["gallery"];
    for c in 0..4 {
        assert!(gallery.contains(&caption(99, c)), "{gallery}\n{removed:?}");
    }
}
