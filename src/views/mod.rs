//! The views that show the cleaner's work to a person: [`explain`] (a page line by line,
//! each line kept or removed with its reason and figures), [`inspect`] (what a model holds:
//! sites, their frequent blocks, cross-site chrome) and [`report`] (one self-contained HTML
//! file over a whole crawl). They read the model and the crawl and decide nothing
//! themselves: every decision they show is the cleaner's.

pub mod explain;
pub mod inspect;
pub mod report;
