//! `dechrome explain`: a page line by line, kept or removed, with the reason and figures.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

use dechrome::clean::{CleanConfig, Cleaner};
use dechrome::model::Model;
use dechrome::views::explain::{explain_page, select_pages, RenderOptions, Selection};

use super::InputArgs;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub prior: super::PriorArgs,
    /// Model file from `dechrome learn` or `dechrome merge`.
    #[arg(short, long)]
    pub model: PathBuf,
    /// Explain the page(s) with this id.
    #[arg(long, conflicts_with = "sample")]
    pub id: Option<String>,
    /// Explain the pages of this site (every page; with --sample, N of them).
    #[arg(long, conflicts_with = "id")]
    pub site: Option<String>,
    /// Explain N pages drawn uniformly (deterministic for a given --seed).
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of --sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// One JSON object per page (JSON Lines), for tools.
    #[arg(long)]
    pub json: bool,
    /// Colour the lines by reason: on a terminal (auto, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Cut each line's text to this many characters (0: whole lines).
    #[arg(long, default_value_t = 100)]
    pub width: usize,
}

pub fn run(a: ExplainArgs) -> Result<ExitCode> {
    let mut job = a.input.to_job()?;
    a.prior.apply(&mut job)?;
    let model = Model::open_final(&a.model)?;
    let sel = match (&a.id, &a.site, a.sample) {
        (Some(id), _, _) => Selection::Id(id.clone()),
        (None, site, Some(n)) => Selection::Sample {
            n,
            site: site.clone(),
            seed: a.seed,
        },
        (None, Some(s), None) => Selection::Site(s.clone()),
        (None, None, None) => Selection::First,
    };
    let pages = select_pages(&job.input, &job.inputs, &sel)?;
    if pages.is_empty() {
        bail!(
            "no page matched {}; check the id or site (sites are named as in `dechrome inspect MODEL`)",
            match &sel {
                Selection::Id(i) => format!("--id {i:?}"),
                Selection::Site(s) => format!("--site {s:?}"),
                Selection::Sample { site: Some(s), .. } => format!("--site {s:?}"),
                _ => "the selection (is the input empty?)".into(),
            }
        );
    }
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            !a.json && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let opts = RenderOptions {
        color,
        max_chars: a.width,
    };
    let mut cleaner = Cleaner::with_prior(&model, CleanConfig::default(), job.prior.as_deref());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (i, rec) in pages.iter().enumerate() {
        let e = explain_page(&mut cleaner, rec);
        if a.json {
            let mut line = serde_json::to_vec(&e.to_json())?;
            line.push(b'\n');
            out.write_all(&line)?;
        } else {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(e.render(opts).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
