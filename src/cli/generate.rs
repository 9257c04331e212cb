//! `dechrome generate`: write a synthetic multi-site crawl with gold text and per-line labels.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use dechrome::fs::AtomicFile;
use dechrome_gen::{write_jsonl, Charset, GenConfig};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Output JSONL (`.gz`/`.zst` compress), or `-` for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
    /// Number of sites (a minimum when --bytes is given).
    #[arg(long, default_value_t = 8)]
    pub sites: usize,
    /// Mean pages per site.
    #[arg(long, default_value_t = 30)]
    pub pages_per_site: usize,
    /// Spread page counts Zipf-like (some sites with 1-5 pages, a few large ones).
    #[arg(long)]
    pub zipf: bool,
    /// Random seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Leave out wire stories syndicated across sites.
    #[arg(long)]
    pub no_syndication: bool,
    /// Add the hard cases of real crawls (comment lists, doubled articles, lists and lead-ins
    /// inside articles, READ MORE lines, bios, embedded social posts, forum thread pages,
    /// code listings in tutorials), each line marked in the record's `cases`.
    #[arg(long)]
    pub hard_cases: bool,
    /// Languages: 1 (English-like) or 2 (also an invented second language).
    #[arg(long, default_value_t = 2)]
    pub languages: usize,
    /// Keep adding sites until this much JSONL is written (e.g. 500M, 20G).
    #[arg(long, value_parser = parse_size)]
    pub bytes: Option<u64>,
    /// Nearly pure ASCII text, as older versions wrote; by default text has real-text
    /// character statistics (typographic punctuation, accented words, non-Latin sites).
    #[arg(long)]
    pub ascii: bool,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

/// Parses sizes like `512M`, `2G`, `1000000`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("unknown size suffix in {s:?}; use K, M, G or T")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 512M or 2G"))?;
    Ok((n * mult as f64) as u64)
}

pub fn run(a: GenerateArgs) -> Result<ExitCode> {
    if !(1..=2).contains(&a.languages) {
        anyhow::bail!("--languages must be 1 or 2");
    }
    let cfg = GenConfig {
        sites: a.sites,
        pages_per_site: a.pages_per_site,
        zipf: a.zipf,
        seed: a.seed,
        syndication: !a.no_syndication,
        languages: a.languages,
        target_bytes: a.bytes,
        charset: if a.ascii {
            Charset::Ascii
        } else {
            Charset::RealText
        },
        hard_cases: a.hard_cases,
    };
    let stats = if a.output.as_os_str() == "-" {
        let out = std::io::stdout().lock();
        write_jsonl(&cfg, BufWriter::with_capacity(1 << 20, out))?
    } else {
        let file = AtomicFile::create(&a.output, a.force)?;
        let name = a.output.to_string_lossy();
        let (stats, file) = if name.ends_with(".gz") {
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
            let s = write_jsonl(&cfg, BufWriter::with_capacity(1 << 20, &mut enc))?;
            (s, enc.finish()?)
        } else if name.ends_with(".zst") {
            let mut enc = zstd::stream::write::Encoder::new(file, 3)?;
            let s = write_jsonl(&cfg, BufWriter::with_capacity(1 << 20, &mut enc))?;
            (s, enc.finish()?)
        } else {
            let mut file = file;
            let s = write_jsonl(&cfg, BufWriter::with_capacity(1 << 20, &mut file))?;
            file.flush()?;
            (s, file)
        };
        file.commit()
            .with_context(|| format!("writing {}", a.output.display()))?;
        stats
    };
    eprintln!(
        "dechrome: generated {} pages of {} sites, {} bytes, {} lines ({} content)",
        stats.pages, stats.sites, stats.bytes, stats.lines, stats.content_lines
    );
    Ok(ExitCode::SUCCESS)
}
