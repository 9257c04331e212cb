//! Merging partial models by streaming union, summing counts (fst-bin's `merge` pattern): the
//! result is byte-identical to the model learned from all the shards' pages at once.
//!
//! Memory: the inputs are memory-mapped and read in key order; the cross-site counts are
//! sorted within [`MergeOptions::memory`] bytes (spilling to temporary files beyond).

use std::path::{Path, PathBuf};

use fst::Streamer;

use super::format::Header;
use super::spill::SpillDir;
use super::write::ModelSink;
use super::{Model, DEFAULT_MEMORY};
use crate::error::{Error, Result};

/// How [`merge`] works and what it writes; `MergeOptions::default()` writes a final model
/// within [`DEFAULT_MEMORY`].
pub struct MergeOptions<'a> {
    /// Keep the result partial, for merging again later (a tree of merges); otherwise it is
    /// finalized exactly as `learn` would have written it.
    pub partial: bool,
    /// Memory budget in bytes for the cross-site counts; beyond it they spill to disk.
    pub memory: usize,
    /// Called now and then with the number of input keys read since the last call (the
    /// inputs' `header.keys` sum to the total).
    pub progress: Option<&'a mut dyn FnMut(u64)>,
    /// Replace a file at the output that exists, or appears while merging (true by default).
    pub replace: bool,
}

impl Default for MergeOptions<'_> {
    fn default() -> Self {
        MergeOptions {
            partial: false,
            memory: DEFAULT_MEMORY,
            progress: None,
            replace: true,
        }
    }
}

/// Merges partial models into the model file `out` and returns its header. Inputs must be
/// partial models learned with the same parameters.
pub fn merge(inputs: &[PathBuf], out: &Path, options: MergeOptions<'_>) -> Result<Header> {
    let models: Vec<Model> = inputs
        .iter()
        .map(|p| Model::open(p))
        .collect::<Result<_>>()?;
    check_inputs(&models)?;
    let params = models[0].header.params;
    let mut op = fst::map::OpBuilder::new();
    for m in &models {
        // A model's shards hold disjoint runs of its keys: their union is its keys.
        for shard in m.shards().expect("opened from a file") {
            op.push(shard.map.stream());
        }
    }
    let mut union = op.union();
    let dir = SpillDir::new(None)?;
    let mut sink = ModelSink::new(
        params,
        options.partial,
        options.memory / 2,
        &dir,
        super::shard_builders(),
    )?;
    // The `P` entries sort last: the sites' page counts go to the sink first.
    for m in &models {
        for (site, n) in m.site_pages_raw() {
            sink.expect_pages(&site, n);
        }
    }
    let mut progress = options.progress;
    let mut report = |n: u64| {
        if let Some(p) = progress.as_mut() {
            p(n);
        }
    };
    let mut read = 0u64;
    while let Some((k, vals)) = union.next() {
        let v: u64 = vals.iter().map(|iv| iv.value).sum();
        sink.push(k, v)?;
        read += vals.len() as u64;
        if read >= 1 << 16 {
            report(read);
            read = 0;
        }
    }
    report(read);
    sink.finish(out, options.replace)
}

/// Refuses no input, a final model (its singletons are gone) and models learned with other
/// parameters than the first.
fn check_inputs(models: &[Model]) -> Result<()> {
    let first = models
        .first()
        .ok_or_else(|| Error::Config("merge needs at least one model".into()))?;
    for m in models {
        if !m.header.partial {
            return Err(Error::ModelKind {
                path: m.path.clone(),
                what: "is a final model, which has dropped the counts a merge needs".into(),
                hint: "learn each shard with `dechrome learn --partial`".into(),
            });
        }
        if m.header.params != first.header.params {
            return Err(Error::ModelKind {
                path: m.path.clone(),
                what: format!(
                    "was learned with other parameters ({:?} vs {:?})",
                    m.header.params, first.header.params
                ),
                hint: "learn every shard with the same settings".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample_counter;
    use super::super::{write_entries, Counter, ModelParams, SiteTable};
    use super::*;
    use crate::shingle::{KIND_BLOCK, KIND_TOKEN};

    #[test]
    fn merged_partials_equal_learning_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut sites = SiteTable::default();
        let whole = sample_counter(&mut sites);
        let once = dir.path().join("once.model");
        write_entries(
            &once,
            whole.into_sorted_entries(&sites),
            ModelParams::default(),
            false,
        )
        .unwrap();

        // The same pages split in two shards, each with its own site table.
        let mut s1 = SiteTable::default();
        let mut c1 = Counter::new();
        let a = s1.intern("a.example");
        c1.add_page(a, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2), (KIND_TOKEN, 9)]);
        let mut s2 = SiteTable::default();
        let mut c2 = Counter::new();
        let b = s2.intern("b.example");
        let a2 = s2.intern("a.example");
        c2.add_page(a2, &[(KIND_BLOCK, 1), (KIND_BLOCK, 3), (KIND_TOKEN, 9)]);
        c2.add_page(b, &[(KIND_BLOCK, 1), (KIND_BLOCK, 2)]);
        let p1 = dir.path().join("p1.model");
        let p2 = dir.path().join("p2.model");
        write_entries(
            &p1,
            c1.into_sorted_entries(&s1),
            ModelParams::default(),
            true,
        )
        .unwrap();
        write_entries(
            &p2,
            c2.into_sorted_entries(&s2),
            ModelParams::default(),
            true,
        )
        .unwrap();
        let merged = dir.path().join("merged.model");
        merge(&[p1.clone(), p2], &merged, MergeOptions::default()).unwrap();
        assert_eq!(
            std::fs::read(&once).unwrap(),
            std::fs::read(&merged).unwrap()
        );

        let e = merge(&[once], &dir.path().join("x"), MergeOptions::default())
            .err()
            .unwrap();
        assert!(e.to_string().contains("--partial"));
    }
}
