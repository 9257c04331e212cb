//! `dechrome inspect`: what a model holds: sites, their most frequent blocks, cross-site
//! chrome, size and parameters; search site names by prefix or regular expression.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use dechrome::clean::CleanConfig;
use dechrome::input::{InputConfig, SiteKey};
use dechrome::model::Model;
use dechrome::views::inspect::{inspect, ExampleSource, InspectOptions, InspectQuery, SiteQuery};

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

/// The example crawl and --grep, checked, when --examples is given.
fn example_source(a: &InspectArgs) -> Result<Option<ExampleSource>> {
    if a.examples.is_empty() {
        return Ok(None);
    }
    for p in &a.examples {
        if p.as_os_str() != "-" && !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let grep =
        match &a.grep {
            Some(g) => Some(regex::Regex::new(g).map_err(|e| {
                anyhow::anyhow!("--grep {g:?} is not a valid regular expression: {e}")
            })?),
            None => None,
        };
    Ok(Some(ExampleSource {
        input: example_input(a),
        inputs: a.examples.clone(),
        grep,
    }))
}

pub fn run(a: InspectArgs) -> Result<ExitCode> {
    let model = Model::open(&a.model)?;
    let query = match (&a.sites_prefix, &a.sites_regex, &a.site) {
        (Some(p), _, _) => InspectQuery::Sites(SiteQuery::Prefix(p.clone())),
        (_, Some(r), _) => InspectQuery::Sites(SiteQuery::Regex(r.clone())),
        (_, _, Some(site)) => {
            if model.site(site).pages == 0 {
                bail!(
                    "site {site:?} is not in the model; list the sites with `dechrome inspect {}` or search them with --sites-regex",
                    a.model.display()
                );
            }
            InspectQuery::Site(site.clone())
        }
        _ => InspectQuery::Model,
    };
    let opts = InspectOptions {
        top: a.top,
        // A name search shows no blocks, so it reads no examples.
        examples: match query {
            InspectQuery::Sites(_) => None,
            _ => example_source(&a)?,
        },
        clean: CleanConfig::default(),
    };
    let found = inspect(&model, &query, &opts)?;
    let out = if a.json {
        serde_json::to_string_pretty(&found.to_json())? + "\n"
    } else {
        found.render()
    };
    let mut so = std::io::stdout().lock();
    so.write_all(out.as_bytes())?;
    so.flush()?;
    Ok(ExitCode::SUCCESS)
}
