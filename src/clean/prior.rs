//! How the cross-site prior ([`Prior`]) joins the crawl's own evidence.
//!
//! The crawl's model says, for each block, on how many of the site's pages and of the crawl's
//! sites it occurs. Where the site has enough pages, that per-site evidence decides and the
//! prior is not asked: a block unique to one page of a well-sampled site is that page's own,
//! whatever other sites write. Where the site has few pages (fewer than
//! [`CleanConfig::prior_max_pages`]), the prior's count of sites that carry the block stands
//! in for the cross-site count the crawl lacks: a short line found on many unrelated sites is
//! generic chrome, removed as `cross-site` like the crawl's own.

use super::CleanConfig;
use crate::model::{Prior, SiteView};

/// Sites of the prior's corpus carrying the block `hash` of a page of the site `view`, when
/// the prior is asked: 0 without a prior, or when the site has pages enough for its own
/// evidence to decide.
#[inline]
pub(super) fn prior_sites(
    prior: Option<&Prior>,
    cfg: &CleanConfig,
    view: &SiteView,
    hash: u64,
) -> u64 {
    match prior {
        Some(p) if view.pages < cfg.prior_max_pages => p.block_sites(hash),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{build_prior, test_model, Counter, SiteTable};
    use crate::shingle::KIND_BLOCK;

    /// A prior learned from three sites sharing block 7, and a crawl model of one site: the
    /// prior answers for that site while it has few pages, and stays silent once it has many.
    #[test]
    fn prior_answers_only_for_sites_with_few_pages() {
        let mut sites = SiteTable::default();
        let mut c = Counter::new();
        for s in ["a.example", "b.example", "c.example"] {
            let id = sites.intern(s);
            c.add_page(id, &[(KIND_BLOCK, 7), (KIND_BLOCK, 8)]);
            c.add_page(id, &[(KIND_BLOCK, 7)]);
        }
        let (dir, corpus) = test_model(c, &sites);
        let p = dir.path().join("p.prior");
        build_prior(&corpus, 3, "three sites", &p, false).unwrap();
        let prior = Prior::open(&p).unwrap();
        let cfg = CleanConfig::default();

        let few = |pages: u64| {
            let mut sites = SiteTable::default();
            let mut c = Counter::new();
            let id = sites.intern("one.example");
            for _ in 0..pages {
                c.add_page(id, &[(KIND_BLOCK, 1)]);
            }
            test_model(c, &sites)
        };
        let (_d1, small) = few(2);
        let view = small.site("one.example");
        assert_eq!(prior_sites(Some(&prior), &cfg, &view, 7), 3);
        assert_eq!(prior_sites(Some(&prior), &cfg, &view, 9), 0);
        assert_eq!(prior_sites(None, &cfg, &view, 7), 0);
        let (_d2, big) = few(cfg.prior_max_pages);
        let view = big.site("one.example");
        assert_eq!(
            prior_sites(Some(&prior), &cfg, &view, 7),
            0,
            "the site's own evidence wins"
        );
    }
}
