//! The text path's method on hand-built pages: behaviours of the cleaner's segmentation that
//! hold for a single page of a site seen once (no frequency at all), each checked line by line
//! through `dechrome run`.

use std::process::Command;

/// `n` sentences about the words of `seed`, each written by `sentence` from the word at
/// each of five places and the sentence's number.
fn sentences(
    seed: usize,
    n: usize,
    sentence: impl Fn(&dyn Fn(usize) -> &'static str, usize) -> String,
) -> String {
    let words = [
        "river", "council", "bridge", "tester", "weather", "harbour", "market", "season", "report",
        "engine", "garden", "signal",
    ];
    (0..n)
        .map(|k| sentence(&|i: usize| words[(seed * 7 + k * 3 + i) % words.len()], k))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A paragraph of prose, `n` sentences long, unique to `seed` (so no two are copies).
fn paragraph(seed: usize, n: usize) -> String {
    sentences(seed, n, |w, k| {
        format!(
            "The {} near the {} was checked again by the {} in part {seed}.{k}, and the {} \
             held up well, though the {} did not.",
            w(0),
            w(1),
            w(2),
            w(3),
            w(4)
        )
    })
}

/// Runs `dechrome run` on one page and returns its kept lines.
fn kept_lines(text: &str) -> Vec<String> {
    kept_lines_of_site(&[text.to_string()]).remove(0)
}

/// A long article cut into sections by subheadings and short spec lists (a review of several
/// products), on a site seen once: the later sections hold much less text than the longest,
/// yet each brings more than the short lines before it cost, so they are the article's too
/// (they were dropped as `context` when only their share of the longest section counted).
/// The menu above and the footer below, long rows of short lines, stay out.
#[test]
fn article_sections_after_short_lists_are_kept() {
    let menu: Vec<String> = (0..25).map(|i| format!("Menu entry {i}")).collect();
    let mut lines: Vec<(String, bool)> = menu.iter().map(|m| (m.clone(), false)).collect();
    for p in 0..5 {
        lines.push((paragraph(p, 3), true));
    }
    for (s, name) in ["Blackbird", "Chameleon", "Tempest"].iter().enumerate() {
        lines.push((format!("The {name} hammock"), true));
        lines.push((format!("{name} fabric and straps"), true));
        lines.push((format!("Packs down with the {name} sack"), true));
        lines.push((format!("Best {name} for side sleepers"), true));
        lines.push((paragraph(10 + s, 2), true));
    }
    lines.extend((0..25).map(|i| (format!("Footer link {i}"), false)));
    let text: Vec<&str> = lines.iter().map(|l| l.0.as_str()).collect();
    let kept = kept_lines(&text.join("\n"));
    let want: Vec<String> = lines.iter().filter(|l| l.1).map(|l| l.0.clone()).collect();
    assert_eq!(kept, want);
}

/// A product round-up on a site seen once: each product's section (two paragraphs on the
/// article's subject) stands after a long rating table of short lines ("Invoicing", "4.5/5",
/// "Visit website"). Each table costs more than the section after it brings, so the sections
/// were dropped as `context` and only the longest survived; a section that shares the
/// article's words and holds paragraphs is the article's, whatever the table before it costs.
/// The menu and the footer stay out.
#[test]
fn a_round_ups_sections_past_long_rating_tables_are_kept() {
    let tools = ["Ledgerly", "Booksmith", "Tallybird", "Countwise"];
    let about = |t: &str, k: usize| {
        format!(
            "{t} handles invoicing, expenses and bank reconciliation for freelancers who keep              their own accounting books, and its reports {} the quarterly tax estimates that              self-employed accounting needs (note {k}).",
            ["cover", "explain", "prepare", "simplify"][k % 4]
        )
    };
    let mut lines: Vec<(String, bool)> = (0..20)
        .map(|i| (format!("Menu entry {i}"), false))
        .collect();
    lines.push(("The best accounting software for freelancers".into(), true));
    lines.push((
        format!(
            "Choosing accounting software as a freelancer means weighing invoicing, expenses,              bank reconciliation and tax reports. I tested {} on the books of a small              self-employed business for a season.",
            tools.join(", ")
        ),
        true,
    ));
    // A long review opens the article: each section after a table brings far less.
    for k in 0..4 {
        let intro: Vec<String> = (0..3)
            .map(|j| about("Every tool", 90 + 3 * k + j))
            .collect();
        lines.push((intro.join(" "), true));
    }
    for (i, t) in tools.iter().enumerate() {
        for row in [
            "Overall score",
            "Invoicing",
            "Billing",
            "Banking",
            "Reports",
            "Support",
        ] {
            lines.push((row.to_string(), false));
            lines.push((
                format!("{}.{}/5", 3 + (i + row.len()) % 2, (i * 3 + row.len()) % 10),
                false,
            ));
        }
        lines.push(("Visit website".into(), false));
        lines.push(("Pros".into(), false));
        lines.push(("Cons".into(), false));
        lines.push((about(t, 2 * i), true));
        lines.push((about(t, 2 * i + 1), true));
    }
    lines.extend((0..20).map(|i| (format!("Footer link {i}"), false)));
    let text: Vec<&str> = lines.iter().map(|l| l.0.as_str()).collect();
    let kept = kept_lines(&text.join("\n"));
    for (line, want) in &lines {
        if line.len() > 60 {
            assert_eq!(kept.contains(line), *want, "{line:?}; kept {kept:#?}");
        }
    }
    assert!(!kept
        .iter()
        .any(|k| k.starts_with("Menu") || k.starts_with("Footer")));
}

/// Runs `dechrome run` on pages of one site and returns each page's kept lines.
fn kept_lines_of_site(pages: &[String]) -> Vec<Vec<String>> {
    let pages: Vec<(String, String)> = (pages.iter())
        .map(|t| ("example.org".to_string(), t.clone()))
        .collect();
    kept_lines_of_crawl(&pages)
}

/// Runs `dechrome run` on pages (site, text) and returns each page's kept lines.
fn kept_lines_of_crawl(pages: &[(String, String)]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("crawl.jsonl");
    let recs: Vec<String> = (pages.iter().enumerate())
        .map(|(i, (s, t))| serde_json::json!({"id": i.to_string(), "site": s, "text": t}))
        .map(|r| format!("{r}\n"))
        .collect();
    std::fs::write(&crawl, recs.concat()).unwrap();
    let out = dir.path().join("out.jsonl");
    let st = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(["run", "-q", "-j", "1", "-o"])
        .arg(&out)
        .arg(&crawl)
        .status()
        .unwrap();
    assert!(st.success());
    (std::fs::read_to_string(&out).unwrap().lines())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            v["text"]
                .as_str()
                .unwrap()
                .lines()
                .map(String::from)
                .collect()
        })
        .collect()
}

/// The pages of one site, each built by `page` from its number as lines with whether the
/// article keeps them, and the lines each page's article keeps.
fn site_pages(
    n: usize,
    page: impl Fn(usize) -> Vec<(String, bool)>,
) -> (Vec<String>, Vec<Vec<String>>) {
    (0..n).map(|pg| text_and_want(&page(pg))).unzip()
}

/// A page's text from its lines (with whether the article keeps each), and the lines kept.
fn text_and_want(lines: &[(String, bool)]) -> (String, Vec<String>) {
    let text: Vec<&str> = lines.iter().map(|l| l.0.as_str()).collect();
    let want = lines.iter().filter(|l| l.1).map(|l| l.0.clone()).collect();
    (text.join("\n"), want)
}

/// Lines of the site's chrome (not kept).
fn chrome(lines: &[&str]) -> Vec<(String, bool)> {
    lines.iter().map(|m| (m.to_string(), false)).collect()
}

/// Comments signed below each ("by NAME on DATE at TIME | Reply"), after the article's share
/// row and a "N comments" heading, with a pingback's excerpt after the last signature: prose
/// before the first signature and after the last, as around social posts quoted in an
/// article. The site's heading right above the first comment sets the list apart, so its
/// comments go (they were kept as the article's woven posts, the list refused).
#[test]
fn signed_comments_below_a_heading_are_a_list() {
    let names = [
        "Ann Lee", "Bo Chan", "Cy Dorn", "Di Evans", "Ed Fox", "Flo Gray",
    ];
    let (pages, want) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "Archive", "About"]);
        lines.push((format!("Notes on the harbour works, part {pg}"), true));
        for p in 0..4 {
            lines.push((paragraph(100 * pg + p, 3), true));
        }
        for s in ["Share this:", "Twitter", "Facebook"] {
            lines.push((s.to_string(), false));
        }
        lines.push((format!("{} comments", 5 + pg), false));
        for c in 0..5 {
            lines.push((paragraph(100 * pg + 10 + c, 2), false));
            let who = names[(pg + c) % names.len()];
            let sign = format!(
                "by {who} on May {}, 2012 at {}:{}7 pm. Reply",
                c + 3,
                c + 1,
                pg
            );
            lines.push((sign, false));
        }
        lines.push((
            format!("[...] {} [...]", paragraph(100 * pg + 20, 1)),
            false,
        ));
        lines.extend(chrome(&["Leave a comment", "Powered by a blog engine"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// A made-up name, different for every `n` (no digits: digits fold in normalisation).
fn name(n: usize) -> String {
    let syl = ["ka", "lo", "mi", "ren", "tas", "vo", "bel", "dur"];
    let mut s = format!("{}{}{}", syl[n % 8], syl[n / 8 % 8], syl[n / 64 % 8]);
    s[..1].make_ascii_uppercase();
    s
}

/// An article that is a list (homes for sale: a place, an address, "For sale: $PRICE" and a
/// paragraph, item after item) right below its lead-in. The place and address above each
/// price line are the item's own short lines, so prose stands right before the first item:
/// the list is woven into the article, not a list of teasers after it (the items went as an
/// `item-list` when only the line right above the price was looked at).
#[test]
fn a_list_article_right_below_its_lead_in_keeps_its_items() {
    let prose = |n: usize| {
        format!(
            "{} The house on {} Lane near {} sits by the {} road, and {} likes it.",
            paragraph(n, 2),
            name(n),
            name(n + 1),
            name(n + 2),
            name(n + 3)
        )
    };
    let (pages, wants) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "Buy", "Rent", "Advice"]);
        lines.push((format!("How much house the {} price buys", name(pg)), true));
        lines.push(("Category: Eye Candy | Author: Erika Riggs".into(), false));
        lines.push((prose(100 * pg), true));
        for i in 0..4 {
            let n = 10 * pg + i;
            lines.push((format!("{}, {}", name(n + 300), name(n + 200)), true));
            lines.push((format!("{} {} Ave", 1000 + 7 * n, name(n + 400)), true));
            lines.push((format!("For sale: $59{pg},9{i}9"), false));
            lines.push((prose(100 * pg + 10 + i), true));
        }
        lines.extend(chrome(&[
            "Previous post",
            "Next post",
            "About us",
            "Powered by a blog engine",
        ]));
        lines
    });
    let kept = kept_lines_of_site(&pages);
    for (kept, want) in kept.iter().zip(&wants) {
        // Every paragraph kept; no chrome.
        for w in want.iter().filter(|w| w.len() > 60) {
            assert!(kept.contains(w), "lost {w:?}; kept {kept:#?}");
        }
        for k in kept {
            assert!(want.contains(k), "kept chrome {k:?}");
        }
    }
}

/// A paragraph of prose, `n` sentences long, unique to `seed` even once digits fold (names
/// tell its sentences apart), so that pages of one site share none of it.
fn prose(seed: usize, n: usize) -> String {
    sentences(seed, n, |w, k| {
        format!(
            "The {} near {} was checked again by the {} of {}, and the {} held up well, \
             though the {} did not.",
            w(0),
            name(seed * 5 + k),
            w(2),
            name(seed * 5 + k + 300),
            w(3),
            w(4)
        )
    })
}

/// Regression (thefischbowl.blogspot.com in dragnet-dev): comments opened by their
/// signatures ("NAME 10/28/12 5:33 PM"), the last one far longer than the others. The list
/// reached past its last signature only as far as its longest item before, so the rest of the
/// last comment stood as a run of its own, outweighed the article above the list, and the
/// page was taken for a thread: every comment was kept. Now a run that starts right below a
/// list, under an article set apart from the list by the site's template, is an item too.
#[test]
fn a_long_last_comment_goes_with_its_list() {
    let (pages, want) = site_pages(5, |pg| {
        let mut lines = chrome(&["Home", "Archive", "About"]);
        lines.push((format!("Notes on the harbour works, part {pg}"), true));
        for p in 0..3 {
            lines.push((prose(100 * pg + p, 3), true));
        }
        lines.extend(chrome(&[
            "Posted by the editor",
            "Share this",
            "Labels and tags",
        ]));
        lines.push((format!("{} comments:", 5 + pg), false));
        for c in 0..5 {
            let sign = format!("{}{}/2{c}/12 {}:3{pg} PM", name(10 * pg + c), c + 1, c + 2);
            lines.push((sign, false));
            let n = if c == 4 { 9 } else { 1 };
            for k in 0..n {
                lines.push((prose(100 * pg + 10 * (c + 1) + k, 2), false));
            }
            lines.push(("Reply".to_string(), false));
        }
        lines.extend(chrome(&[
            "Add comment",
            "Subscribe to the feed",
            "Powered by a blog engine",
        ]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Titles of other posts run together on one line ("You might also like: 12 Edible Gifts For
/// the Holidays How to Seed a Pomegranate …"), long and without a sentence's end, below a
/// short article: the line's length made it outweigh the article's paragraph, and it was
/// kept beside it. Capitalised word after word, it is a run of titles, not prose.
#[test]
fn titles_run_together_on_one_line_are_no_prose() {
    let (pages, want) = site_pages(1, |_| {
        let mut lines = chrome(&["Home", "Recipes", "About us"]);
        lines.push(("Five One-Pot Meals to Make This Week".into(), true));
        lines.push((prose(1, 3), true));
        lines.extend(chrome(&["Share this", "Print", "Email"]));
        let titles: Vec<String> = (0..14)
            .map(|i| format!("The Best {} Bread With {} Butter", name(i), name(i + 40)))
            .collect();
        lines.push((titles.join(" "), false));
        lines.extend(chrome(&["Contact", "Privacy"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (cbsnews.com in dragnet-dev): a story cut in two by the site's inline gallery
/// box ("23 Photos", the gallery's title, "View the Full Gallery »"). The chain of the
/// article's sections stopped at the site's template in the gap, as it must before comments
/// or a footer, so the story's second half went. A section that is the article's by what it
/// says, past a gap no longer than an inline box, is the article's still.
#[test]
fn a_section_past_the_sites_inline_box_is_kept() {
    let (pages, want) = site_pages(5, |pg| {
        let mut lines = chrome(&["Home", "World", "Politics", "Sports"]);
        for p in 0..6 {
            lines.push((prose(100 * pg + p, 2), true));
        }
        lines.push((format!("{} Photos", 12 + pg), false));
        lines.push((
            format!("{} {}", name(7 * pg + 200), name(11 * pg + 300)),
            false,
        ));
        lines.push(("View the Full Gallery »".to_string(), false));
        for p in 6..8 {
            lines.push((prose(100 * pg + p, 2), true));
        }
        lines.extend(chrome(&[
            "Share this story",
            "Add a Comment",
            "Terms of use",
            "Privacy policy",
        ]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a hockey site's wire story in dragnet-dev): an article whose body another page
/// of the site holds in full (a round-up that runs the story under its own intro). Below the
/// article's one paragraph of its own, the copied paragraphs scored as teasers of another
/// story and went as `repeated`: the page kept a title and one paragraph. A stretch of two or
/// more paragraphs on the same pages, right below the page's own prose, is the body copied
/// whole; an author's bio (one paragraph, on the pages of that author) still goes.
#[test]
fn an_articles_body_a_round_up_holds_too_is_kept() {
    let copied: Vec<String> = (0..4).map(|p| prose(900 + p, 2)).collect();
    let bio = format!("{} writes about the harbour for this site.", name(777));
    let (pages, want) = site_pages(10, |pg| {
        let mut lines = chrome(&["Home", "Scores", "Teams", "Print"]);
        lines.push((format!("Notes on the harbour works, part {pg}"), true));
        lines.push((prose(100 * pg, 3), true));
        if pg < 2 {
            lines.extend(copied.iter().map(|c| (c.clone(), true)));
        }
        if pg == 1 {
            lines.push((prose(100 * pg + 1, 3), true));
        } else if pg >= 2 {
            for p in 1..4 {
                lines.push((prose(100 * pg + p, 3), true));
            }
        }
        if pg == 2 || pg == 3 {
            lines.push((bio.clone(), false));
        }
        lines.extend(chrome(&["Top headlines", "About us", "Terms of use"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// A site's menu, a title and two paragraphs of a post, on a site seen once.
fn short_post() -> Vec<(String, bool)> {
    let mut lines = chrome(&["Home", "Phones", "Updates"]);
    lines.push(("Notes on the harbour works".into(), true));
    lines.push((prose(1, 3), true));
    lines.push((prose(2, 3), true));
    lines
}

/// Regression (a phone site's firmware post in dragnet-dev): a changelog the article
/// announces ("Here is what the update changes:") names one fix under two headings. The line
/// held twice on the page counted as `repeated` and ended the list halfway. A line the list
/// holds twice is still the article's; one it holds item after item ("Read more" under each
/// title of a list of other posts that a line of prose announces) is a list's skeleton, and
/// that list stays out.
#[test]
fn a_line_an_announced_list_holds_twice_does_not_end_it() {
    let mut lines = short_post();
    let lead_in = "Here is what the update changes for every owner:";
    lines.push((lead_in.into(), true));
    for (h, section) in ["MAIL", "RADIO", "CALLS"].iter().enumerate() {
        lines.push((section.to_string(), true));
        for k in 0..3 {
            lines.push((format!("- {} fixed", name(4 * h + k + 100)), true));
        }
        if h > 0 {
            lines.push(("- Stability and speed improvements".into(), true));
        }
    }
    lines.extend(chrome(&["Share this post", "About us", "Terms of use"]));
    let (text, want) = text_and_want(&lines);
    assert_eq!(kept_lines(&text), want);
}

/// Regression (a phone site's firmware post in dragnet-dev): a bulleted changelog the article
/// announces, in sections under headings, one of which ("EMAIL") is a word other sites' share
/// rows hold, so the crawl knows it. The list ended at that heading, and its last sections
/// were lost. A line the crawl knows ends a list, but not one with the list's own bullets
/// right above and below it: the list goes on past it. Past an inline box after the list's
/// end ("ADVERTISEMENT") stand lines of another shape (a box of forum threads), and the list
/// ends there.
#[test]
fn a_bulleted_list_goes_on_past_a_heading_the_crawl_knows() {
    let mut lines = short_post();
    let lead_in = "Here is what the update changes for every owner:";
    lines.push((lead_in.into(), true));
    for (h, section) in ["RADIO", "EMAIL", "CALLS"].iter().enumerate() {
        // The heading the crawl knows is chrome by its evidence, and stays out itself.
        lines.push((section.to_string(), h != 1));
        for k in 0..3 {
            lines.push((format!("- {} fixed", name(4 * h + k + 100)), true));
        }
    }
    lines.extend(chrome(&["ADVERTISEMENT", "Most read in the forum"]));
    for t in 0..3 {
        lines.push((format!("{} and the {} case", name(t + 500), name(t)), false));
    }
    lines.extend(chrome(&["Share this post", "About us", "Terms of use"]));
    let (text, want) = text_and_want(&lines);
    assert_eq!(kept_lines(&text), want);
}

/// A list of other posts that a line of prose announces, each title over "More from NAME": the
/// line it holds item after item is a list's skeleton, so the list is no part of the article
/// (see `a_line_an_announced_list_holds_twice_does_not_end_it`).
#[test]
fn an_announced_list_with_a_line_item_after_item_is_teasers() {
    let mut lines = short_post();
    let lead_in = "These are the posts our readers liked this week:";
    lines.push((lead_in.into(), false));
    for t in 0..3 {
        let title = format!("{} and the {} case", name(t + 500), name(t));
        lines.push((title, false));
        lines.push((format!("More from {}", name(900)), false));
    }
    lines.extend(chrome(&["Share this post", "About us", "Terms of use"]));
    let (text, want) = text_and_want(&lines);
    assert_eq!(kept_lines(&text), want);
}

/// Regression (a games blog in dragnet-dev): comments under "NAME said:", each closed by its
/// date and time ("November 10, 2012 1:52 PM"), on a crawl of sites seen once each. Such date
/// lines are on other sites too (digits fold), so they are chrome by the crawl, but only a
/// stamp of the site's template, or one its other pages hold, marked a list's items: the
/// morning's and the evening's stamps differ in one word, neither made three alike, and the
/// comments were kept beside the article. The crawl's stamps are alike by their opening
/// words too ("november 0"), as the site's are.
#[test]
fn comments_dated_as_other_sites_date_theirs_are_a_list() {
    let mut crawl = Vec::new();
    let mut wants = Vec::new();
    for s in 0..3 {
        let mut lines = chrome(&["Home", "Reviews", "Forum"]);
        lines.push((format!("Notes on the harbour works, part {s}"), true));
        for p in 0..3 {
            lines.push((prose(100 * s + p, 3), true));
        }
        lines.push(("4 Comments".into(), false));
        lines.push((format!("{} said:", name(40 * s)), false));
        for c in 0..4 {
            lines.push((prose(100 * s + 10 + c, 1), false));
            let half = if c % 2 == 0 { "PM" } else { "AM" };
            let date = format!("November {}, 2012 {}:{}4 {half}", 10 + c, 1 + c, 2 + s);
            lines.push((date, false));
            lines.push((format!("{} said:", name(40 * s + c + 1)), false));
        }
        lines.push((prose(100 * s + 20, 1), false));
        lines.extend(chrome(&["Post a comment", "Recent posts", "Links"]));
        let (text, want) = text_and_want(&lines);
        crawl.push((format!("site{s}.example"), text));
        wants.push(want);
    }
    assert_eq!(kept_lines_of_crawl(&crawl), wants);
}

/// Regression (a tech news site in dragnet-dev): below a short article, the site's "Topics: /
/// Tags:" rows, the author's name and a long bio of the author ("NAME joined the site in 2006
/// and covers …"), on this page alone. The bio brought more than a share of the article's
/// evidence and was kept as a second run. A block or two past the article's end and past the
/// site's template is a bio, a blurb or a comment, not the article resuming.
#[test]
fn an_authors_bio_past_the_sites_tag_rows_goes() {
    let (pages, want) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "News", "Reviews"]);
        lines.push((format!("Notes on the harbour works, part {pg}"), true));
        for p in 0..2 {
            lines.push((prose(100 * pg + p, 2), true));
        }
        lines.extend(chrome(&[
            "Topics:",
            "Harbours",
            "Tags:",
            "Share this story",
        ]));
        lines.push((name(pg + 50), false));
        let bio = format!(
            "{} joined the site in 2006 and covers the harbour, the river and the market. {}",
            name(pg + 50),
            prose(100 * pg + 9, 2)
        );
        lines.push((bio, false));
        lines.extend(chrome(&["Don't miss", "Latest stories", "About us"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a startup blog in dragnet-dev): a short post, the site's share row, related
/// posts and its "1 Comment" heading, then the one comment under its signature ("NAME" and a
/// date run together), longer than the post. With no list of items on the page, the comment
/// outweighed the post, was taken for the article and kept beside it. A run right under such
/// a signature, under the site's template, far below an article, is the page's lone comment.
#[test]
fn a_lone_comment_longer_than_its_post_goes() {
    let (pages, want) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "Archive", "About"]);
        lines.push((prose(100 * pg, 3), true));
        lines.extend(chrome(&[
            "Share this:",
            "Popular Posts",
            "Related Posts",
            "1 Comment",
        ]));
        lines.push((
            format!("{}0{}-0{}-2012", name(pg + 30), pg + 1, pg + 2),
            false,
        ));
        for p in 1..4 {
            lines.push((prose(100 * pg + p, 2), false));
        }
        lines.extend(chrome(&["Search", "Powered by a blog engine"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a sports blog in dragnet-dev): an article quoting readers' social posts, each
/// post, then a dash on a line of its own (the embed's, on every page that quotes posts),
/// then its signature ("NAME (@handle) November 2, 2012"), with the author's prose between
/// the posts. The dash, a line of no words, stood between each signature and the prose above
/// it, so the signatures seemed to open items set apart from the article, and the article's
/// second half went as an `item-list`. A line of no words neither opens nor parts anything.
#[test]
fn posts_quoted_in_an_article_past_a_dash_are_kept() {
    let (pages, want) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "Archive", "About"]);
        lines.push((format!("Notes on the harbour works, part {pg}"), true));
        lines.push((prose(100 * pg, 3), true));
        for q in 0..5 {
            lines.push((prose(100 * pg + 10 + q, 1), true));
            lines.push(("\u{2014}".to_string(), false));
            let who = name(7 * pg + q + 60);
            lines.push((format!("{who} (@{who}) November 0{}, 2012", q + 1), false));
            lines.push((prose(100 * pg + 20 + q, 3), true));
        }
        lines.push((prose(100 * pg + 30, 2), true));
        lines.extend(chrome(&["Leave a comment", "Powered by a blog engine"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a sports blog in dragnet-dev): a post cut into sections, each heading framed
/// by two rules ("———", the site's, on every page with sections). Each rule cost as much as a
/// line of the site's menu, so four of them around every heading outweighed the short
/// paragraph between, and the post was cut down to its first paragraph. A line of no words
/// is chrome that costs nothing: it holds no text that is not the article's.
#[test]
fn sections_between_the_sites_rules_are_kept() {
    let rule = "\u{2014}".repeat(20);
    let (pages, want) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "Archive", "About"]);
        let place = ["river", "bridge", "harbour", "market", "garden", "signal"][pg];
        let title = format!("{} and {} at the {place}", name(pg + 90), name(pg + 140));
        lines.push((title, true));
        lines.push((prose(100 * pg, 2), true));
        for q in 0..5 {
            lines.push((rule.clone(), false));
            let heading = format!("{} {}", name(7 * pg + q + 60), name(11 * pg + q + 200));
            lines.push((heading, true));
            lines.push((rule.clone(), false));
            lines.push((prose(100 * pg + 10 + q, 1), true));
        }
        lines.extend(chrome(&["Leave a comment", "Powered by a blog engine"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a buying guide in wcxb-dev, a climate explainer in big9): a list article whose
/// sections each end in the site's box ("Pros" … "Cons" … "Best prices today:" / "Retailer" /
/// "Price"). The chain of sections stops at the site's template between two runs (a share
/// row, a comments heading: the article's end), so every section past the first box was
/// lost. A line of the site's template that the page holds `item_min` times or more is a box
/// repeated section after section, not the article's end, and a section that speaks of the
/// article's subject chains past it. (Each section's heading, in the gap with the box, still
/// goes with it: a gap that holds the site's lines is not filled.)
#[test]
fn sections_past_the_sites_box_repeated_under_each_are_kept() {
    let mut bodies = Vec::new();
    let (pages, _) = site_pages(6, |pg| {
        let mut lines = chrome(&["Home", "Reviews", "Deals"]);
        let place = ["river", "bridge", "harbour", "market", "garden", "signal"][pg];
        let title = format!(
            "{} and {} kits at the {place}",
            name(pg + 90),
            name(pg + 140)
        );
        lines.push((title, true));
        lines.push((prose(100 * pg, 2), true));
        for q in 0..4 {
            let heading = format!("{} {}", name(7 * pg + q + 60), name(11 * pg + q + 200));
            lines.push((heading, true));
            for p in 0..2 {
                lines.push((prose(100 * pg + 10 * q + p + 10, 3), true));
            }
            lines.extend(chrome(&["Pros"]));
            lines.push((format!("Light as a {}", name(13 * pg + q + 400)), false));
            lines.extend(chrome(&["Cons"]));
            lines.push((format!("Dear for a {}", name(17 * pg + q + 500)), false));
            lines.extend(chrome(&[
                "Best Prices Today:",
                "Retailer",
                "Price",
                "Check",
            ]));
        }
        lines.extend(chrome(&["Share this", "About us", "Contact"]));
        lines
    });
    for page in &pages {
        bodies.push(
            page.lines()
                .filter(|l| l.starts_with("The "))
                .collect::<Vec<_>>(),
        );
    }
    for (kept, body) in kept_lines_of_site(&pages).iter().zip(&bodies) {
        let paragraphs: Vec<&str> = kept
            .iter()
            .map(|l| l.as_str())
            .filter(|l| l.starts_with("The "))
            .collect();
        assert_eq!(&paragraphs, body);
        let boxed = [
            "Pros",
            "Cons",
            "Best Prices Today:",
            "Retailer",
            "Price",
            "Light",
            "Dear",
        ];
        assert!(
            !kept.iter().any(|l| boxed.iter().any(|b| l.starts_with(b))),
            "{kept:?}"
        );
    }
}

/// Regression (a news site's older pages in big9): an article whose first part stands above
/// a box of other stories set inside it ("(Story continues below)", an advertisement, a
/// related list), on the pages that carry one. The rest of the article, below the box, is the
/// main run; the chain of sections stopped at the box's lines of the site's template as at
/// the article's end, and the first part was lost. Above the main run, a section on the
/// article's subject chains past the site's lines that only some of its pages hold; the
/// header and menus above every article stand on all of them.
#[test]
fn an_articles_first_part_above_a_box_of_other_stories_is_kept() {
    let (pages, want) = site_pages(8, |pg| {
        let mut lines = news_top(pg);
        lines.push((prose(100 * pg, 3), true));
        lines.push((prose(100 * pg + 1, 3), true));
        if pg % 4 != 3 {
            lines.extend(chrome(&[
                "(Story continues below)",
                "Advertisement",
                "Related Stories",
            ]));
            for t in 0..3 {
                let other = (pg + t + 1) % 8;
                let title = format!("{} and {} on tour", name(other + 300), name(other + 340));
                lines.push((title, false));
            }
            lines.extend(chrome(&["More in World"]));
        }
        for p in 2..8 {
            lines.push((prose(100 * pg + p, 3), true));
        }
        lines.extend(chrome(&["E-mail story", "Print", "About us", "Contact"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a newspaper's site in dragnet-dev): below the article, a list of other
/// stories from the home page, each its title, its blurb and the site's "Read preview". Each
/// blurb is prose, and together they weighed more than the article's share asks of another
/// run, so they were kept. Other pages of the site show the same blurbs: a run away from the
/// article must hold its share in text only this page holds.
#[test]
fn blurbs_the_sites_other_pages_show_are_not_the_articles() {
    let (pages, want) = site_pages(12, |pg| {
        let mut lines = news_top(pg);
        for p in 0..4 {
            lines.push((prose(100 * pg + p, 3), true));
        }
        lines.extend(chrome(&["Share", "Print", "From the Home Page"]));
        for t in 0..3 {
            // The last story is teased on this page alone.
            let story = if t == 2 { 1000 + pg } else { 3 * (pg / 2) + t };
            lines.push((
                format!("{} beats the {}", name(story + 500), name(story + 600)),
                false,
            ));
            lines.push((blurb(story), false));
            lines.extend(chrome(&["Read Preview"]));
        }
        lines.extend(chrome(&["About us", "Contact"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a news site's photo galleries in dragnet-dev): a text view lists a slideshow's
/// captions, each a sentence about its photo, then the slideshow's title once per slide. The
/// captions scored as prose and joined the article's run, or outweighed the article itself.
/// As many copies of one titled line right under as many paragraphs mark them as a list's
/// items; the article's paragraphs, above and below, stay.
#[test]
fn a_slideshows_captions_above_its_title_per_slide_go() {
    let mut lines = chrome(&["Home", "World", "Politics"]);
    lines.push(("Harbour works reach the river bridge".to_string(), true));
    lines.push((prose(1, 3), true));
    lines.push((prose(2, 3), true));
    for c in 0..8 {
        let caption = format!(
            "{} waves from the deck of the {} on Monday, October {}.",
            name(c + 40),
            name(c + 80),
            c + 2
        );
        lines.push((caption, false));
    }
    for _ in 0..8 {
        lines.push(("Scenes from the harbour works".to_string(), false));
    }
    for p in 3..7 {
        lines.push((prose(p, 3), true));
    }
    lines.extend(chrome(&["About us", "Contact"]));
    let (text, want) = text_and_want(&lines);
    assert_eq!(kept_lines(&text), want);
    // A page that is the slideshow alone keeps its captions.
    let captions: Vec<String> = lines.iter().skip(6).take(8).map(|l| l.0.clone()).collect();
    let mut alone = vec![
        "Home".to_string(),
        "Scenes from the harbour works".to_string(),
    ];
    alone.extend(captions.iter().cloned());
    alone.extend((0..8).map(|_| "Scenes from the harbour works".to_string()));
    let kept = kept_lines(&alone.join("\n"));
    assert!(captions.iter().all(|c| kept.contains(c)), "{kept:?}");
}

/// Regression (a news site's photo galleries in big9): the same slideshow with its control
/// ("HIDE CAPTION", the site's template on its pages with a slideshow) between the captions
/// and the title repeated per slide. The site's lines there are the slideshow's own; its
/// captions go all the same, and the article below stays.
#[test]
fn a_slideshows_captions_above_its_controls_go() {
    let (pages, want) = site_pages(8, |pg| {
        let mut lines = news_top(pg);
        lines.push((prose(100 * pg, 3), true));
        lines.push((prose(100 * pg + 1, 3), true));
        if pg % 2 == 0 {
            for c in 0..6 {
                let caption = format!(
                    "{} waves from the deck of the {} on Monday, October {}.",
                    name(10 * pg + c + 40),
                    name(10 * pg + c + 80),
                    c + 2
                );
                lines.push((caption, false));
            }
            lines.extend(chrome(&["Hide Caption"]));
            let title = format!("Scenes from the {} works", PLACES[pg + 1]);
            lines.extend((0..6).map(|_| (title.clone(), false)));
        }
        for p in 2..6 {
            lines.push((prose(100 * pg + p, 3), true));
        }
        lines.extend(chrome(&["About us", "Contact"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (a blogs.nfl.com live blog in dragnet-dev, F1 0.28): updates of a paragraph or
/// two, each under a photo's credit line ("(NAME/Associated Press)", alike on the site's other
/// pages but for its name), the same three photographers' credits again and again, were taken
/// for a list of items and removed. A list's lines differ line after line (each comment its
/// name and date); credits repeated word for word between paragraphs are the photos', and
/// the updates are the article.
#[test]
fn a_live_blog_under_its_photos_credits_is_kept() {
    let (pages, want) = site_pages(8, |pg| {
        let mut lines = news_top(pg);
        let credit = |n: usize| format!("({} {}/Associated Press)", name(n), name(n + 50));
        lines.push((prose(100 * pg, 3), true));
        lines.push((format!("({}/Getty Images)", name(pg + 500)), false));
        lines.push((prose(100 * pg + 1, 3), true));
        if pg % 2 == 0 {
            lines.extend(chrome(&["Live updates"]));
            for u in 0..12 {
                if u % 4 == 0 {
                    lines.push(("\u{2014}\u{2014}\u{2014}".to_string(), false));
                }
                lines.push((credit(10 * pg + 600 + u % 3), false));
                lines.push((prose(100 * pg + 10 + u, 1), true));
                if u % 2 == 0 {
                    lines.push((prose(100 * pg + 20 + u, 1), true));
                }
            }
        }
        lines.extend(chrome(&["Share this", "About us", "Contact"]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Regression (tweetrightbrain.posterous.com in dragnet-dev): a blog of short posts, each a
/// title, the link it shares ("via SOURCE.com") and a line of comment, between the site's
/// menu and its footer. No block pays for a switch, so the line that scored best stood alone
/// and the post's title and source went (F1 0.54–0.71). On a site whose other pages say which
/// lines are this page's own, the own lines around such a post are the post; the site's
/// lines around it (a stamp of the site's shape, "July 11th, 9:39am 0 comments", the menu and
/// the share row) stay out.
#[test]
fn a_short_posts_title_and_source_are_kept() {
    let (pages, want) = site_pages(5, |pg| {
        let mut lines = chrome(&["Home", "My Profile", "Archive", "Autopost"]);
        let half = ["am", "pm"][pg % 2];
        let stamp = format!("July {}th, 9:{}{half} 0 comments", pg + 10, pg + 30);
        lines.push((stamp, false));
        lines.push((format!("The {} of {}", PLACES[pg], name(pg + 40)), true));
        lines.push((format!("via {}.com", name(pg + 60).to_lowercase()), true));
        let comment = format!("{} turns the {} into art.", name(pg + 80), PLACES[pg + 1]);
        lines.push((comment, true));
        lines.extend(chrome(&[
            "Tweet",
            "Posted by the editor",
            "Like",
            "Comment",
        ]));
        lines
    });
    assert_eq!(kept_lines_of_site(&pages), want);
}

/// Another story's blurb, three sentences on a subject of its own.
fn blurb(story: usize) -> String {
    (0..3)
        .map(|k| {
            format!(
                "The striker {} signed with {} after a trial in {}, and the coach was pleased.",
                name(story * 3 + k + 700),
                name(story * 3 + k + 800),
                name(story * 3 + k + 900)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A news site's page `pg` down to its title: the site's menu, then a title that names one of
/// the words of its article's [`prose`].
fn news_top(pg: usize) -> Vec<(String, bool)> {
    let mut lines = chrome(&["Home", "World", "Politics", "Business", "Sports"]);
    let title = format!(
        "{} and {} at the {}",
        name(pg + 90),
        name(pg + 140),
        PLACES[pg]
    );
    lines.push((title, true));
    lines
}

/// Words of [`prose`], one for each page's title to share with its article.
const PLACES: [&str; 12] = [
    "river", "council", "bridge", "tester", "weather", "harbour", "market", "season", "report",
    "engine", "garden", "signal",
];
