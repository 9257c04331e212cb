//! `dechrome inspect`: what a model holds: sites, their most frequent blocks, cross-site
//! chrome, size and parameters; search site names by prefix or regular expression.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;

use dechrome::clean::CleanConfig;
use dechrome::input::{InputConfig, SiteKey};
use dechrome::inspect::{self, FrequentBlock, SiteQuery};
use dechrome::model::Model;

use super::SiteKeyArg;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Model file from `dechrome learn` or `dechrome merge`.
    pub model: PathBuf,
    /// Show this site's most frequent blocks.
    #[arg(long)]
    pub site: Option<String>,
    /// How many sites / blocks to list.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Crawl to take example texts of the blocks from (the model holds hashes only);
    /// normally the crawl the model was learned from. Read with the default JSONL fields
    /// unless the flags below say otherwise.
    #[arg(long, value_name = "INPUT", num_args = 1..)]
    pub examples: Vec<PathBuf>,
    /// JSONL field holding the page text (for --examples).
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSONL field naming the site (for --examples).
    #[arg(long, default_value = "site")]
    pub site_field: String,
    /// JSONL field holding the URL (for --examples).
    #[arg(long, default_value = "url")]
    pub url_field: String,
    /// How a URL names its site (for --examples); must match how the model was learned.
    #[arg(long, value_enum, default_value = "domain")]
    pub site_key: SiteKeyArg,
    /// List the sites whose names start with this prefix (an fst prefix search).
    #[arg(long, value_name = "PREFIX", conflicts_with = "sites_regex")]
    pub sites_prefix: Option<String>,
    /// List the sites whose whole name matches this regular expression (an fst automaton
    /// search; anchored at both ends, so use `.*news.*` for "contains news").
    #[arg(long, value_name = "REGEX")]
    pub sites_regex: Option<String>,
    /// Keep only the blocks whose example text matches this regular expression (unanchored);
    /// needs --examples. Searches all of the site's recurring blocks, not only the top ones.
    #[arg(long, value_name = "REGEX", requires = "examples")]
    pub grep: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

fn example_input(a: &InspectArgs) -> InputConfig {
    InputConfig {
        text_field: a.text_field.clone(),
        site_field: a.site_field.clone(),
        url_field: a.url_field.clone(),
        site_key: match a.site_key {
            SiteKeyArg::Domain => SiteKey::Domain,
            SiteKeyArg::Host => SiteKey::Host,
        },
        ..InputConfig::default()
    }
}

/// Adds example texts (and applies --grep) when --examples is given.
fn with_examples(
    a: &InspectArgs,
    site: Option<&str>,
    mut blocks: Vec<FrequentBlock>,
) -> Result<Vec<FrequentBlock>> {
    if a.examples.is_empty() {
        return Ok(blocks);
    }
    for p in &a.examples {
        if p.as_os_str() != "-" && !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let wanted: HashSet<u64> = blocks.iter().map(|b| b.hash).collect();
    let ex = inspect::find_examples(&example_input(a), &a.examples, site, &wanted)?;
    inspect::attach_examples(&mut blocks, &ex);
    if let Some(g) = &a.grep {
        let re = regex::Regex::new(g)
            .map_err(|e| anyhow::anyhow!("--grep {g:?} is not a valid regular expression: {e}"))?;
        blocks = inspect::grep_examples(blocks, &re);
        blocks.truncate(a.top);
    }
    Ok(blocks)
}

fn block_json(b: &FrequentBlock) -> serde_json::Value {
    json!({
        "hash": format!("{:016x}", b.hash),
        "pages_with": b.pages_with,
        "share": b.share,
        "cross_sites": b.cross_sites,
        "example": b.example,
    })
}

fn example_cell(b: &FrequentBlock, have_examples: bool) -> String {
    match &b.example {
        Some(t) => {
            let t: String = if t.chars().count() > 70 {
                t.chars().take(69).chain(['…']).collect()
            } else {
                t.clone()
            };
            format!("{t:?}")
        }
        None if have_examples => "(not found in the examples)".into(),
        None => "(pass --examples INPUT for text)".into(),
    }
}

pub fn run(a: InspectArgs) -> Result<ExitCode> {
    let model = Model::open(&a.model)?;
    let mut out = String::new();
    let have_ex = !a.examples.is_empty();

    if a.sites_prefix.is_some() || a.sites_regex.is_some() {
        let q = match (&a.sites_prefix, &a.sites_regex) {
            (Some(p), _) => SiteQuery::Prefix(p.clone()),
            (_, Some(r)) => SiteQuery::Regex(r.clone()),
            _ => unreachable!(),
        };
        let found = inspect::search_sites(&model, &q)?;
        if a.json {
            let v: Vec<_> = found
                .iter()
                .map(|(s, p)| json!({"site": s, "pages": p}))
                .collect();
            out = serde_json::to_string_pretty(&v)? + "\n";
        } else {
            let _ = writeln!(out, "{} matching sites", found.len());
            for (s, p) in &found {
                let _ = writeln!(out, "{p:>8}  {s}");
            }
        }
    } else if let Some(site) = &a.site {
        let view = model.site(site);
        if view.pages == 0 {
            bail!(
                "site {site:?} is not in the model; list the sites with `dechrome inspect {}` or search them with --sites-regex",
                a.model.display()
            );
        }
        let n = if a.grep.is_some() { usize::MAX } else { a.top };
        let blocks = inspect::top_site_blocks(&model, site, n, 0.0);
        let blocks = with_examples(&a, Some(site), blocks)?;
        let tshare = CleanConfig::default().template_share as f64;
        if a.json {
            let v = json!({
                "site": site,
                "pages": view.pages,
                "template_share": tshare,
                "blocks": blocks.iter().map(block_json).collect::<Vec<_>>(),
            });
            out = serde_json::to_string_pretty(&v)? + "\n";
        } else {
            let _ = writeln!(out, "site {site}: {} pages in the model", view.pages);
            let _ = writeln!(
                out,
                "most frequent blocks (T: on ≥ {:.0}% of the pages, removed as site-template; sites: sites that have it, when more than this one)",
                100.0 * tshare
            );
            let _ = writeln!(
                out,
                "{:>6} {:>6}   {:>5}  {:<16}  example",
                "pages", "share", "sites", "hash"
            );
            for b in &blocks {
                let t = if b.pages_with >= 3 && b.share >= tshare {
                    'T'
                } else {
                    ' '
                };
                let _ = writeln!(
                    out,
                    "{:>6} {:>5.1}% {t} {:>5}  {:016x}  {}",
                    b.pages_with,
                    100.0 * b.share,
                    b.cross_sites,
                    b.hash,
                    example_cell(b, have_ex)
                );
            }
            if blocks.is_empty() {
                out.push_str("(no block recurs on two or more of its pages)\n");
            }
        }
    } else {
        let sum = inspect::summary(&model)?;
        let mut sites = model.sites();
        sites.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let global = inspect::top_cross_site(&model, a.top);
        let global = with_examples(&a, None, global)?;
        if a.json {
            let v = json!({
                "model": sum,
                "sites": sites.iter().take(a.top).map(|(s, p)| json!({"site": s, "pages": p})).collect::<Vec<_>>(),
                "cross_site": global.iter().map(block_json).collect::<Vec<_>>(),
            });
            out = serde_json::to_string_pretty(&v)? + "\n";
        } else {
            let h = &sum.header;
            let _ = writeln!(
                out,
                "model {}: {} bytes, format {}, {}",
                sum.path.display(),
                sum.file_bytes,
                sum.format_version,
                if h.partial {
                    "partial (for merge)"
                } else {
                    "final"
                }
            );
            let _ = writeln!(
                out,
                "learned from {} pages of {} sites; {} keys; {} cross-site blocks; shingle_max_tokens {}",
                h.pages, h.sites, h.keys, sum.cross_site_blocks, h.params.shingle_max_tokens
            );
            let _ = writeln!(
                out,
                "\nsites ({} of {}, most pages first)",
                sites.len().min(a.top),
                sites.len()
            );
            for (s, p) in sites.iter().take(a.top) {
                let _ = writeln!(out, "{p:>8}  {s}");
            }
            let _ = writeln!(out, "\ncross-site chrome (blocks on most sites)");
            let _ = writeln!(out, "{:>6}  {:<16}  example", "sites", "hash");
            for b in &global {
                let _ = writeln!(
                    out,
                    "{:>6}  {:016x}  {}",
                    b.cross_sites,
                    b.hash,
                    example_cell(b, have_ex)
                );
            }
            if global.is_empty() {
                out.push_str("(no block occurs on two or more sites)\n");
            }
        }
    }
    let mut so = std::io::stdout().lock();
    so.write_all(out.as_bytes())?;
    so.flush()?;
    Ok(ExitCode::SUCCESS)
}
