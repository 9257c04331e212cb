//! A report for people: one self-contained HTML file (no scripts, no fetches, no external
//! assets) showing, per site, how much was removed and why, a chart of the removal share across
//! sites (inline SVG), and sample pages with removed lines struck out and coloured by reason.
//!
//! [`build`] reads the crawl twice: once to clean every page and count (the same [`Stats`] as
//! `clean --stats-json`, so the numbers agree), then to pick sample pages of the sites at both
//! ends of the removal share. Memory: the counts per site plus the sample pages.
//!
//! Every figure the report shows is also in a `data-stat` / `data-site` attribute, so tests
//! and tools can read the rendered DOM back.

use std::collections::{BinaryHeap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::explain::{explain_page, sample_hash, PageExplanation};
use crate::clean::{CleanConfig, Cleaner, Reason};
use crate::error::{Error, Result};
use crate::fs::AtomicFile;
use crate::input::{Reader, Record};
use crate::job::{for_each_record, progress_bar, JobConfig, PageSummary, RecordFigures, Stats};
use crate::model::Model;

/// What goes into a report.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// Sample pages shown per sampled site.
    pub samples_per_site: usize,
    /// Sites with sample pages: alternately the one with most and least removed.
    pub sample_sites: usize,
    /// Rows of the site table (largest sites first); the counts cover every site.
    pub max_sites: usize,
    /// Seed of the page sample.
    pub seed: u64,
    /// Heading of the page.
    pub title: String,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            samples_per_site: 2,
            sample_sites: 12,
            max_sites: 500,
            seed: 0,
            title: "dechrome report".into(),
        }
    }
}

/// The figures and samples of a report.
#[derive(Debug)]
pub struct Report {
    /// The counts, as `clean --stats-json` gives them.
    pub stats: Stats,
    /// Sample pages, grouped by site in the order the sites were chosen.
    pub samples: Vec<(String, Vec<PageExplanation>)>,
    /// The model's file.
    pub model_path: PathBuf,
    /// The crawl's files.
    pub inputs: Vec<PathBuf>,
}

/// Cleans the crawl, counts, and picks sample pages.
pub fn build(
    cfg: &JobConfig,
    model: &Model,
    clean_cfg: CleanConfig,
    rc: &ReportConfig,
) -> Result<Report> {
    if cfg.inputs.iter().any(|p| p == Path::new("-")) {
        return Err(Error::Config(
            "report reads its input twice and cannot take stdin; save it to a file first".into(),
        ));
    }
    let start = Instant::now();
    let mut stats = count(cfg, model, clean_cfg)?;
    let samples = pick_samples(cfg, model, clean_cfg, rc, &stats)?;
    stats.elapsed = start.elapsed();
    Ok(Report {
        stats,
        samples,
        model_path: model.path.clone(),
        inputs: cfg.inputs.clone(),
    })
}

/// The first pass: cleans every page and counts, as `clean --stats-json` does.
fn count(cfg: &JobConfig, model: &Model, clean_cfg: CleanConfig) -> Result<Stats> {
    let pool = cfg.pool()?;
    let mut stats = Stats::default();
    let pb = progress_bar(cfg, "report");
    let mut bad = 0;
    // The same pass as `clean`'s, with nothing written: workers clean and summarise each page.
    for_each_record(
        cfg,
        &pool,
        crate::input::PayloadKind::None,
        &mut bad,
        &mut crate::input::PassedOver::default(),
        || {
            let c = Cleaner::with_prior(model, clean_cfg, cfg.prior.as_deref());
            (c, String::new())
        },
        |(c, cleaned), rec| -> Result<(PageSummary, RecordFigures)> {
            let d = c.clean_page(&rec.site, &rec.text, cleaned);
            Ok((PageSummary::of(cleaned, d), RecordFigures::of(&rec)))
        },
        |batch| {
            for (summary, figures) in &batch {
                stats.add_summary(figures, summary);
                pb.inc(figures.input_bytes);
            }
            pb.set_message(format!("{} pages", stats.pages));
            Ok(())
        },
    )?;
    stats.bad_records = bad;
    pb.finish_and_clear();
    Ok(stats)
}

/// The second pass: picks sample pages of the sites at both ends of the removal share and
/// explains them.
fn pick_samples(
    cfg: &JobConfig,
    model: &Model,
    clean_cfg: CleanConfig,
    rc: &ReportConfig,
    stats: &Stats,
) -> Result<Vec<(String, Vec<PageExplanation>)>> {
    // Sites to sample: alternately the most and the least removed.
    let ext = stats.site_extremes();
    let mut chosen: Vec<String> = Vec::new();
    let (mut lo, mut hi) = (0usize, ext.len());
    while chosen.len() < rc.sample_sites && lo < hi {
        chosen.push(ext[lo].0.to_string());
        lo += 1;
        if chosen.len() < rc.sample_sites && lo < hi {
            hi -= 1;
            chosen.push(ext[hi].0.to_string());
        }
    }
    let want: HashMap<&str, usize> = chosen
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    // Per chosen site, the pages with the smallest sample hashes.
    let mut heaps: Vec<BinaryHeap<(u64, u64)>> = vec![BinaryHeap::new(); chosen.len()];
    let mut kept: HashMap<u64, Record> = HashMap::new();
    if rc.samples_per_site > 0 && !chosen.is_empty() {
        for (seq, rec) in Reader::new(cfg.input.clone(), &cfg.inputs)?.enumerate() {
            let Ok(rec) = rec else { continue };
            let Some(&i) = want.get(rec.site.as_str()) else {
                continue;
            };
            let h = sample_hash(&rec, rc.seed);
            let seq = seq as u64;
            let heap = &mut heaps[i];
            if heap.len() < rc.samples_per_site {
                heap.push((h, seq));
                kept.insert(seq, rec);
            } else if heap.peek().is_some_and(|&(top, _)| h < top) {
                let (_, old) = heap.pop().expect("non-empty");
                kept.remove(&old);
                heap.push((h, seq));
                kept.insert(seq, rec);
            }
        }
    }
    let mut cleaner = Cleaner::with_prior(model, clean_cfg, cfg.prior.as_deref());
    let mut samples = Vec::new();
    for (site, heap) in chosen.into_iter().zip(heaps) {
        let mut seqs: Vec<u64> = heap.into_iter().map(|e| e.1).collect();
        seqs.sort_unstable();
        let pages = seqs
            .iter()
            .filter_map(|s| kept.get(s))
            .map(|r| explain_page(&mut cleaner, r))
            .collect();
        samples.push((site, pages));
    }
    Ok(samples)
}

/// CSS colour per reason (kept lines have none).
fn reason_color(r: Reason) -> &'static str {
    match r {
        Reason::KeptUnique | Reason::KeptShared | Reason::KeptContext | Reason::KeptHeader => {
            "#2e7d32"
        }
        Reason::SiteTemplate => "#c62828",
        Reason::CrossSite => "#8e24aa",
        Reason::Templated => "#ef6c00",
        Reason::Repeated => "#1565c0",
        Reason::Context => "#757575",
        Reason::DuplicateCopy => "#5c6bc0",
        Reason::ItemList => "#8d6e63",
        Reason::DomLinks => "#ad1457",
        Reason::DomComments => "#6a1b9a",
        Reason::DomMedia => "#546e7a",
        Reason::DomShared => "#b71c1c",
    }
}

fn reason_help(r: Reason) -> &'static str {
    match r {
        Reason::KeptUnique => "kept: content, on no other page of the site",
        Reason::KeptShared => "kept: on other pages too, but inside this page's article",
        Reason::KeptContext => "kept: weak alone, but inside the article's run of lines",
        Reason::KeptHeader => "kept: the article's title, deck or bullets, sharing its words",
        Reason::SiteTemplate => "removed: on a large share of the site's pages",
        Reason::CrossSite => "removed: short line found on several sites",
        Reason::Templated => "removed: its words recur in the site's short chrome lines",
        Reason::Repeated => "removed: shared with other pages, outside the article",
        Reason::Context => "removed: outside the article's run of lines",
        Reason::DuplicateCopy => "removed: another copy of a line the page keeps",
        Reason::ItemList => "removed: an item of a list of comments or teasers",
        Reason::DomLinks => "removed: links outside the article, or under a path of links",
        Reason::DomComments => "removed: in the site's comment section, below the article",
        Reason::DomMedia => "removed: set-in media (a gallery, an embed) beside the article",
        Reason::DomShared => "removed: shared prose where the site's pages never hold the article",
    }
}

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn share(i: u64, o: u64) -> f64 {
    if i == 0 {
        0.0
    } else {
        1.0 - o as f64 / i as f64
    }
}

const CSS: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222;background:#fff}
h1{margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:12px}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}
td:first-child,th:first-child{text-align:left}
.big td{font-size:16px}
.sw{display:inline-block;width:10px;height:10px;margin-right:5px;vertical-align:middle}
.bar{display:flex;width:220px;height:10px;background:#eee}
.bar span{display:block;height:10px}
ol.page{font:12.5px/1.5 ui-monospace,Menlo,Consolas,monospace;padding-left:3.5em;margin:.3em 0}
ol.page li{white-space:pre-wrap;word-break:break-word}
ol.page li.rm{text-decoration:line-through}
ol.page .tag{font:10px system-ui,sans-serif;color:#fff;border-radius:3px;padding:0 4px;margin-right:6px;text-decoration:none;display:inline-block}
details{margin:.4em 0 1em}summary{cursor:pointer;font-weight:600}
svg text{font:10px system-ui,sans-serif;fill:#444}
"#;

/// Renders the report as one HTML document.
pub fn render_html(r: &Report, rc: &ReportConfig) -> String {
    let st = &r.stats;
    let mut h = String::with_capacity(64 << 10);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        esc(&rc.title),
        esc(&rc.title)
    );
    let inputs: Vec<String> = r.inputs.iter().map(|p| p.display().to_string()).collect();
    let _ = writeln!(
        h,
        "<p class=\"meta\">input {} &middot; model {}</p>",
        esc(&inputs.join(", ")),
        esc(&r.model_path.display().to_string())
    );
    render_totals(&mut h, st);
    render_reasons(&mut h, st);
    h.push_str("<h2>Share removed across sites</h2>\n");
    h.push_str(&chart_svg(st));
    render_sites(&mut h, st, rc.max_sites);
    render_samples(&mut h, st, &r.samples);
    h.push_str("</body></html>\n");
    h
}

/// The totals table.
fn render_totals(h: &mut String, st: &Stats) {
    let _ = writeln!(h, "<h2>Totals</h2><table class=\"big\" id=\"totals\">");
    let rows: [(&str, &str, String); 8] = [
        ("pages", "pages", st.pages.to_string()),
        ("blocks", "lines (blocks)", st.blocks.to_string()),
        (
            "blocks_removed",
            "lines removed",
            st.blocks_removed.to_string(),
        ),
        ("bytes_in", "text bytes in", st.bytes_in.to_string()),
        ("bytes_out", "text bytes out", st.bytes_out.to_string()),
        (
            "removed_share",
            "share of text removed",
            pct(st.removed_share()),
        ),
        ("sites", "sites", st.sites.len().to_string()),
        (
            "bad_records",
            "bad records skipped",
            st.bad_records.to_string(),
        ),
    ];
    for (k, label, v) in rows {
        let _ = writeln!(h, "<tr><td>{label}</td><td data-stat=\"{k}\">{v}</td></tr>");
    }
    h.push_str("</table>\n");
}

/// The table of reasons: lines and bytes per reason.
fn render_reasons(h: &mut String, st: &Stats) {
    let _ = writeln!(
        h,
        "<h2>Why lines went (or stayed)</h2><table id=\"reasons\"><tr><th>reason</th><th>lines</th><th>bytes</th><th>share of text</th><th></th></tr>"
    );
    for reason in Reason::ALL {
        let i = reason.index();
        if reason.html_only() && st.reason_blocks[i] == 0 {
            continue;
        }
        let _ = writeln!(
            h,
            "<tr data-reason=\"{n}\"><td><span class=\"sw\" style=\"background:{c}\"></span>{n}</td>\
             <td data-stat=\"reason_blocks\">{}</td><td data-stat=\"reason_bytes\">{}</td><td>{}</td>\
             <td style=\"text-align:left;color:#666\">{}</td></tr>",
            st.reason_blocks[i],
            st.reason_bytes[i],
            pct(if st.bytes_in == 0 { 0.0 } else { st.reason_bytes[i] as f64 / st.bytes_in as f64 }),
            reason_help(reason),
            n = reason.as_str(),
            c = reason_color(reason),
        );
    }
    h.push_str("</table>\n");
}

/// The site table, largest sites first, up to `max_sites` rows.
fn render_sites(h: &mut String, st: &Stats, max_sites: usize) {
    let mut sites: Vec<(&String, &(u64, u64, u64))> = st.sites.iter().collect();
    sites.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let _ = writeln!(
        h,
        "<h2>Sites</h2><table id=\"sites\"><tr><th>site</th><th>pages</th><th>bytes in</th><th>bytes out</th><th>removed</th><th style=\"text-align:left\">removed, by reason</th></tr>"
    );
    for (site, &(p, i, o)) in sites.iter().take(max_sites) {
        let by = st.site_removed.get(*site);
        let mut bar = String::new();
        let mut title = String::new();
        if let Some(by) = by {
            for reason in Reason::ALL.iter().filter(|r| !r.is_kept()) {
                let b = by[reason.index()];
                if b > 0 && i > 0 {
                    let _ = write!(
                        bar,
                        "<span style=\"width:{:.2}%;background:{}\"></span>",
                        100.0 * b as f64 / i as f64,
                        reason_color(*reason)
                    );
                    let _ = write!(title, "{}: {} bytes; ", reason.as_str(), b);
                }
            }
        }
        let _ = writeln!(
            h,
            "<tr data-site=\"{s}\"><td>{s}</td><td data-stat=\"pages\">{p}</td><td data-stat=\"bytes_in\">{i}</td>\
             <td data-stat=\"bytes_out\">{o}</td><td data-stat=\"removed_share\">{}</td>\
             <td><div class=\"bar\" title=\"{}\">{bar}</div></td></tr>",
            pct(share(i, o)),
            esc(title.trim_end_matches("; ")),
            s = esc(if site.is_empty() { "(no site)" } else { site }),
        );
    }
    h.push_str("</table>\n");
    if sites.len() > max_sites {
        let _ = writeln!(
            h,
            "<p class=\"meta\">{} smaller sites not listed; the totals and the chart count them.</p>",
            sites.len() - max_sites
        );
    }
}

/// The sample pages, with a legend of the reasons' colours.
fn render_samples(h: &mut String, st: &Stats, samples: &[(String, Vec<PageExplanation>)]) {
    h.push_str("<h2>Sample pages</h2>\n<p class=\"meta\">Sites with the most and the least removed. Removed lines are struck out; hover a line for the figures behind it.</p>\n<p>");
    for reason in Reason::ALL {
        if reason.html_only() && st.reason_blocks[reason.index()] == 0 {
            continue;
        }
        let _ = write!(
            h,
            "<span class=\"sw\" style=\"background:{}\"></span>{} &nbsp; ",
            reason_color(reason),
            reason.as_str()
        );
    }
    h.push_str("</p>\n");
    for (site, pages) in samples {
        let (p, i, o) = st.sites.get(site).copied().unwrap_or_default();
        let _ = writeln!(
            h,
            "<h3 data-sample-site=\"{s}\">{s} <span class=\"meta\">{} removed of {p} pages</span></h3>",
            pct(share(i, o)),
            s = esc(site)
        );
        for page in pages {
            render_page(h, page);
        }
    }
}

fn render_page(h: &mut String, page: &PageExplanation) {
    let _ = writeln!(
        h,
        "<details open data-page=\"{}\"><summary>{} <span class=\"meta\">{} &middot; removed {} of {} lines, {}</span></summary><ol class=\"page\">",
        esc(&page.id),
        esc(&page.id),
        esc(page.url.as_deref().unwrap_or("")),
        page.blocks_removed(),
        page.lines.len(),
        pct(page.removed_share())
    );
    for l in &page.lines {
        let d = &l.decision;
        let title = format!(
            "{}: on {} of {} pages of the site, {} sites; templated {:.2}; score {:.1}",
            d.reason.as_str(),
            d.site_pages_with,
            d.site_pages,
            d.cross_sites,
            d.templated,
            d.score
        );
        if d.keep {
            let _ = writeln!(
                h,
                "<li value=\"{}\" data-reason=\"{}\" title=\"{}\">{}</li>",
                l.line,
                d.reason.as_str(),
                esc(&title),
                esc(l.text.trim_end())
            );
        } else {
            let _ = writeln!(
                h,
                "<li value=\"{}\" class=\"rm\" data-reason=\"{r}\" title=\"{}\" style=\"color:{c}\"><span class=\"tag\" style=\"background:{c}\">{r}</span>{}</li>",
                l.line,
                esc(&title),
                esc(l.text.trim_end()),
                r = d.reason.as_str(),
                c = reason_color(d.reason),
            );
        }
    }
    h.push_str("</ol></details>\n");
}

/// Inline SVG: one bar per site (sorted by share removed) up to 120 sites, else a histogram of
/// sites by share removed in tenths.
fn chart_svg(st: &Stats) -> String {
    let ext = st.site_extremes();
    let (w, hgt, pad) = (900.0f64, 180.0f64, 30.0f64);
    let mut s = format!(
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\" role=\"img\">",
        hgt + pad + 10.0,
        hgt + pad + 10.0
    );
    let plot_w = w - pad - 10.0;
    // Axis and grid at 0, 50, 100 %.
    for (frac, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let y = 5.0 + hgt * (1.0 - frac);
        let _ = write!(
            s,
            "<line x1=\"{pad}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"2\" y=\"{}\">{label}</text>",
            w - 10.0,
            y + 3.0
        );
    }
    if ext.len() <= 120 {
        let n = ext.len().max(1) as f64;
        let bw = plot_w / n;
        for (k, (site, pages, sh)) in ext.iter().enumerate() {
            let bh = hgt * sh;
            let _ = write!(
                s,
                "<rect data-site=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#c62828\"><title>{}: {} removed, {} pages</title></rect>",
                esc(site),
                pad + k as f64 * bw + bw * 0.1,
                5.0 + hgt - bh,
                (bw * 0.8).max(0.5),
                bh,
                esc(site),
                pct(*sh),
                pages
            );
        }
        if bw >= 50.0 {
            for (k, (site, _, sh)) in ext.iter().enumerate() {
                let name: String = site.chars().take((bw / 6.5) as usize).collect();
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    pad + k as f64 * bw + bw * 0.1,
                    hgt + 17.0,
                    esc(&name),
                    pad + k as f64 * bw + bw * 0.1,
                    (5.0 + hgt - hgt * sh - 3.0).max(10.0),
                    pct(*sh)
                );
            }
        }
        let _ = write!(
            s,
            "<text x=\"{pad}\" y=\"{}\">sites, most removed first ({} sites)</text>",
            hgt + pad + 8.0,
            ext.len()
        );
    } else {
        let mut bins = [0u64; 10];
        for (_, _, sh) in &ext {
            bins[((sh * 10.0) as usize).min(9)] += 1;
        }
        let max = *bins.iter().max().unwrap_or(&1) as f64;
        let bw = plot_w / 10.0;
        for (k, &c) in bins.iter().enumerate() {
            let bh = hgt * c as f64 / max;
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#c62828\"><title>{}–{}% removed: {} sites</title></rect><text x=\"{:.1}\" y=\"{}\">{}–{}%</text>",
                pad + k as f64 * bw + 2.0,
                5.0 + hgt - bh,
                bw - 4.0,
                bh,
                k * 10,
                k * 10 + 10,
                c,
                pad + k as f64 * bw + 4.0,
                hgt + 18.0,
                k * 10,
                k * 10 + 10
            );
        }
        let _ = write!(
            s,
            "<text x=\"{pad}\" y=\"{}\">sites by share removed (bar height: number of sites, of {})</text>",
            hgt + pad + 5.0,
            ext.len()
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Writes the report atomically.
pub fn write_html(path: &Path, html: &str, force: bool) -> Result<()> {
    let mut f = AtomicFile::create(path, force)?;
    f.write_all(html.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn html_is_self_contained_and_shows_the_numbers() {
        let mut st = Stats {
            pages: 3,
            bytes_in: 1000,
            bytes_out: 600,
            ..Default::default()
        };
        st.sites.insert("a.example".into(), (2, 800, 400));
        st.sites.insert("<b>".into(), (1, 200, 200));
        let r = Report {
            stats: st,
            samples: vec![],
            model_path: "m.model".into(),
            inputs: vec!["in.jsonl".into()],
        };
        let html = render_html(&r, &ReportConfig::default());
        assert!(html.contains("data-stat=\"bytes_in\">1000<"));
        assert!(html.contains("data-stat=\"removed_share\">40.0%<"));
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"));
        assert!(html.contains("<svg"));
        for bad in ["<script", "http://", "https://", "<link", "@import", "url("] {
            let n = html.matches(bad).count();
            let svg_ns = html.matches("http://www.w3.org/2000/svg").count();
            if bad == "http://" {
                assert_eq!(n, svg_ns, "only the SVG namespace may name a URL");
            } else {
                assert_eq!(n, 0, "{bad} in report");
            }
        }
    }
}
