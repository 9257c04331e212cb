//! The progress bar of a job: drawn on stderr only when asked for and stderr is a terminal,
//! with the input's total size when it is known (plain files), a spinner otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::JobConfig;

/// The progress bar of a job named `what` over `cfg`'s inputs; hidden unless
/// [`JobConfig::progress`] is set and stderr is a terminal.
pub(crate) fn progress_bar(cfg: &JobConfig, what: &str) -> ProgressBar {
    if !cfg.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total: Option<u64> = cfg
        .inputs
        .iter()
        .map(|p| {
            let s = p.to_string_lossy();
            if s == "-" || s.ends_with(".gz") || s.ends_with(".zst") || p.is_dir() {
                None
            } else {
                std::fs::metadata(p).ok().map(|m| m.len())
            }
        })
        .sum();
    let pb = match total {
        Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let style = if total.is_some() {
        ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
    } else {
        ProgressStyle::with_template(
            "{prefix} {spinner} [{elapsed_precise}] {binary_bytes} {binary_bytes_per_sec} {msg}",
        )
    };
    pb.set_style(style.expect("valid template"));
    pb.set_prefix(what.to_string());
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}
