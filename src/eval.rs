//! Token-level bag-of-words evaluation of cleaned text against gold text.
//!
//! This is a Rust port of the reference scorer `shared/tools/score.py` (see the
//! "Scoring" section of `shared/data/big9/README.md`). Text is lowercased and split
//! into word tokens; per page, precision, recall and F1 are computed from the size of
//! the multiset intersection of prediction and gold tokens; the reported figures are
//! macro means over gold pages, overall and per site. A gold page absent from the
//! predictions scores as an empty prediction and is listed as missing; prediction ids
//! absent from the gold are ignored. Sums are taken in gold order, exactly as Python
//! does, so figures normally agree with `score.py` to the last bit.
//!
//! Tokenisation differences from Python's `re.findall(r'\w+', s.lower())`: a word
//! character here is `'_'` or [`char::is_alphanumeric`] (Unicode `Alphabetic` or `N*`),
//! whereas Python's `\w` is `str.isalnum()` (`L*` categories plus numeric chars) or `'_'`.
//! Rust additionally counts as word characters the `Other_Alphabetic` combining marks
//! (895 `Mn` and 417 `Mc` code points, e.g. Devanagari vowel signs U+093E..U+094C and
//! U+0345), 130 `So` symbols (circled letters U+24B6..U+24E9 and similar) and characters
//! unassigned in Python 3.11's Unicode 14 database. So Rust keeps e.g. Hindi words whole
//! where Python splits them at vowel signs. Lowercasing (`str::to_lowercase`, including
//! final sigma) matches Python's `str.lower()` on every code point assigned in Unicode 14.
//! None of these characters occurs in the big9 data, where all figures agree exactly.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// Scores of one gold page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageScore {
    /// The page's id.
    pub id: String,
    /// Site label; `None` when unknown (grouped under `"?"` by site).
    pub site: Option<String>,
    /// Precision: the share of predicted tokens that are gold.
    pub p: f64,
    /// Recall: the share of gold tokens that were predicted.
    pub r: f64,
    /// Harmonic mean of `p` and `r`.
    pub f1: f64,
    /// Tokens in the prediction.
    pub pred_tokens: usize,
    /// Tokens in the gold.
    pub gold_tokens: usize,
}

/// Macro means over `n` pages (all 0 when `n == 0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Pages.
    pub n: usize,
    /// Mean precision.
    pub p: f64,
    /// Mean recall.
    pub r: f64,
    /// Mean F1 (of the pages, not of the means).
    pub f1: f64,
}

/// Result of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// One entry per gold page, in gold order.
    pub pages: Vec<PageScore>,
    /// Means over every gold page.
    pub overall: Summary,
    /// Per-site summaries sorted by site name; unknown sites are `"?"`.
    pub by_site: Vec<(String, Summary)>,
    /// Gold ids without a prediction, in gold order.
    pub missing: Vec<String>,
}

/// Errors reading evaluation inputs; each names the file and, where relevant, the
/// 1-based line number, plus a hint on how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file that cannot be opened.
    #[error("cannot open {}: {source} (check the path)", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file that cannot be read.
    #[error("{}:{line}: read error: {source} (the file must be UTF-8 JSONL)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A line that is not JSON.
    #[error("{}:{line}: invalid JSON: {source} (each line must hold one JSON object)", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A line that is JSON but not an object.
    #[error("{}:{line}: line is not a JSON object (each line must hold one JSON object)", path.display())]
    NotObject {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// A field that is missing or of the wrong type.
    #[error("{}:{line}: field {field:?} is {problem} ({hint})", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The field.
        field: String,
        /// "missing" or "not a string".
        problem: &'static str,
        /// What to do.
        hint: &'static str,
    },
}

/// Python-compatible (see module docs) `\w`.
#[inline]
fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Word tokens of already-lowercased text, borrowed from it (no allocation).
pub fn words(lowered: &str) -> impl Iterator<Item = &str> {
    lowered
        .split(|c: char| !is_word(c))
        .filter(|t| !t.is_empty())
}

/// Tokens of `text`: `re.findall(r'\w+', text.lower())`.
pub fn tokens(text: &str) -> Vec<String> {
    words(&text.to_lowercase()).map(str::to_owned).collect()
}

/// Intersection size and token counts of one page: (I, #pred, #gold).
fn overlap(pred: &str, gold: &str) -> (usize, usize, usize) {
    let (pred, gold) = (pred.to_lowercase(), gold.to_lowercase());
    let mut bag: HashMap<&str, u32> = HashMap::new();
    let mut ng = 0;
    for t in words(&gold) {
        *bag.entry(t).or_insert(0) += 1;
        ng += 1;
    }
    let (mut inter, mut np) = (0, 0);
    for t in words(&pred) {
        np += 1;
        if let Some(c) = bag.get_mut(t) {
            if *c > 0 {
                *c -= 1;
                inter += 1;
            }
        }
    }
    (inter, np, ng)
}

/// P, R, F1 from counts, with score.py's operation order (bit-identical results).
fn prf(inter: usize, np: usize, ng: usize) -> (f64, f64, f64) {
    let p = if np > 0 {
        inter as f64 / np as f64
    } else {
        0.0
    };
    let r = if ng > 0 {
        inter as f64 / ng as f64
    } else {
        0.0
    };
    let f = if p + r != 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// (P, R, F1) of one page.
pub fn score_page(pred: &str, gold: &str) -> (f64, f64, f64) {
    let (i, np, ng) = overlap(pred, gold);
    prf(i, np, ng)
}

/// Macro means, summed left to right like Python's `sum`.
fn macro_mean<'a>(pages: impl Iterator<Item = &'a PageScore>) -> Summary {
    let (mut n, mut p, mut r, mut f) = (0usize, 0.0, 0.0, 0.0);
    for s in pages {
        n += 1;
        p += s.p;
        r += s.r;
        f += s.f1;
    }
    if n == 0 {
        return Summary {
            n,
            p: 0.0,
            r: 0.0,
            f1: 0.0,
        };
    }
    let d = n as f64;
    Summary {
        n,
        p: p / d,
        r: r / d,
        f1: f / d,
    }
}

/// Scores predictions against gold.
///
/// `pred`: (id, text, optional site) records; `gold`: (id, gold text); `sites`: id ->
/// site. A page's site is the prediction record's site if given, else `sites[id]`.
/// Duplicate ids behave like a Python dict: the last value wins, and a duplicate gold
/// id keeps the position of its first occurrence.
pub fn evaluate(
    pred: impl IntoIterator<Item = (String, String, Option<String>)>,
    gold: impl IntoIterator<Item = (String, String)>,
    sites: &HashMap<String, String>,
) -> EvalReport {
    let pred: HashMap<String, (String, Option<String>)> =
        pred.into_iter().map(|(id, t, s)| (id, (t, s))).collect();
    let mut golds: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (id, text) in gold {
        match index.get(&id) {
            Some(&i) => golds[i].1 = text,
            None => {
                index.insert(id.clone(), golds.len());
                golds.push((id, text));
            }
        }
    }

    let mut missing = Vec::new();
    let pages: Vec<PageScore> = golds
        .into_iter()
        .map(|(id, gold)| {
            let (text, site) = match pred.get(&id) {
                Some((t, s)) => (t.as_str(), s.clone()),
                None => {
                    missing.push(id.clone());
                    ("", None)
                }
            };
            let site = site.or_else(|| sites.get(&id).cloned());
            let (inter, np, ng) = overlap(text, &gold);
            let (p, r, f1) = prf(inter, np, ng);
            PageScore {
                id,
                site,
                p,
                r,
                f1,
                pred_tokens: np,
                gold_tokens: ng,
            }
        })
        .collect();

    let overall = macro_mean(pages.iter());
    let mut groups: HashMap<&str, Vec<&PageScore>> = HashMap::new();
    for s in &pages {
        groups
            .entry(s.site.as_deref().unwrap_or("?"))
            .or_default()
            .push(s);
    }
    let mut by_site: Vec<(String, Summary)> = groups
        .into_iter()
        .map(|(site, v)| (site.to_owned(), macro_mean(v.into_iter())))
        .collect();
    by_site.sort_by(|a, b| a.0.cmp(&b.0));

    EvalReport {
        pages,
        overall,
        by_site,
        missing,
    }
}

/// Reads a JSONL file, calling `f(line_no, object)` for each non-blank line.
fn read_jsonl(
    path: &Path,
    mut f: impl FnMut(usize, Map<String, Value>) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    let file = File::open(path).map_err(|source| EvalError::Open {
        path: path.into(),
        source,
    })?;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|source| EvalError::Read {
            path: path.into(),
            line: line_no,
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(&line) {
            Ok(Value::Object(m)) => f(line_no, m)?,
            Ok(_) => {
                return Err(EvalError::NotObject {
                    path: path.into(),
                    line: line_no,
                })
            }
            Err(source) => {
                return Err(EvalError::Json {
                    path: path.into(),
                    line: line_no,
                    source,
                })
            }
        }
    }
    Ok(())
}

/// Takes string field `field` out of `m`; `None` if absent (or null when `optional`).
fn take_str(
    m: &mut Map<String, Value>,
    field: &str,
    optional: bool,
    (path, line, hint): (&Path, usize, &'static str),
) -> Result<Option<String>, EvalError> {
    let err = |problem| EvalError::Field {
        path: path.into(),
        line,
        field: field.to_owned(),
        problem,
        hint,
    };
    match m.remove(field) {
        Some(Value::String(s)) => Ok(Some(s)),
        None | Some(Value::Null) if optional => Ok(None),
        None => Err(err("missing")),
        Some(_) => Err(err("not a string")),
    }
}

/// A record id: a string, or a number used by its JSON text.
fn take_id(m: &mut Map<String, Value>, path: &Path, line: usize) -> Result<String, EvalError> {
    match m.remove("id") {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Number(n)) => Ok(n.to_string()),
        v => Err(EvalError::Field {
            path: path.into(),
            line,
            field: "id".into(),
            problem: if v.is_none() {
                "missing"
            } else {
                "not a string"
            },
            hint: "every record needs a string \"id\" matching the gold ids",
        }),
    }
}

/// Scores JSONL files.
///
/// `pred` lines hold `id` and `pred_text_field` (and optionally `site`); `gold` lines
/// hold `id` and `gold` (falling back to `text`). Sites come from the prediction
/// records, then from `pages` (JSONL with `id` and `site`), which defaults to
/// `pages.jsonl` beside `gold` when that file exists (as `score.py --by-site` does).
pub fn evaluate_files(
    pred: &Path,
    gold: &Path,
    pages: Option<&Path>,
    pred_text_field: &str,
) -> crate::Result<EvalReport> {
    let mut preds = Vec::new();
    read_jsonl(pred, |line, mut m| {
        let id = take_id(&mut m, pred, line)?;
        let hint = "choose the prediction text field that the file uses";
        let text =
            take_str(&mut m, pred_text_field, false, (pred, line, hint))?.unwrap_or_default();
        let hint = "\"site\" must be a string if present";
        let site = take_str(&mut m, "site", true, (pred, line, hint))?;
        preds.push((id, text, site));
        Ok(())
    })?;

    let mut golds = Vec::new();
    read_jsonl(gold, |line, mut m| {
        let id = take_id(&mut m, gold, line)?;
        let field = if m.contains_key("gold") {
            "gold"
        } else {
            "text"
        };
        let hint = "gold records need a \"gold\" (or \"text\") string; is this the gold file?";
        let text = take_str(&mut m, field, false, (gold, line, hint))?.unwrap_or_default();
        golds.push((id, text));
        Ok(())
    })?;

    let default_pages = gold.parent().map(|d| d.join("pages.jsonl"));
    let pages = match pages {
        Some(p) => Some(p),
        None => default_pages.as_deref().filter(|p| p.is_file()),
    };
    let mut sites = HashMap::new();
    if let Some(pages) = pages {
        read_jsonl(pages, |line, mut m| {
            let id = take_id(&mut m, pages, line)?;
            let hint = "the pages file needs a \"site\" string on every line";
            if let Some(site) = take_str(&mut m, "site", false, (pages, line, hint))? {
                sites.insert(id, site);
            }
            Ok(())
        })?;
    }
    Ok(evaluate(preds, golds, &sites))
}

/// Rounds like Python's `round(x, 4)` (correctly rounded from the binary value).
fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

impl EvalReport {
    /// The table `score.py` prints (per-site rows when `by_site`, then `ALL`).
    pub fn render_table(&self, by_site: bool) -> String {
        let mut out = format!(
            "{:32} {:>5} {:>6} {:>6} {:>6}\n",
            "site", "pages", "P", "R", "F1"
        );
        let row = |out: &mut String, name: &str, s: &Summary| {
            let _ = writeln!(
                out,
                "{name:32} {:5} {:6.3} {:6.3} {:6.3}",
                s.n, s.p, s.r, s.f1
            );
        };
        if by_site {
            for (site, s) in &self.by_site {
                row(&mut out, site, s);
            }
        }
        row(&mut out, "ALL", &self.overall);
        out
    }

    /// `{"n", "P", "R", "F1", "missing", "by_site": {site: {"n", "P", "R", "F1"}}}`,
    /// figures rounded to 4 decimals and `missing` a count, as `score.py --json` prints.
    pub fn to_json(&self) -> Value {
        let fig =
            |s: &Summary| json!({"n": s.n, "P": round4(s.p), "R": round4(s.r), "F1": round4(s.f1)});
        let mut v = fig(&self.overall);
        v["missing"] = json!(self.missing.len());
        let sites: Map<String, Value> = self
            .by_site
            .iter()
            .map(|(site, s)| (site.clone(), fig(s)))
            .collect();
        v["by_site"] = Value::Object(sites);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> String {
        x.to_owned()
    }

    #[test]
    fn tokenisation() {
        assert_eq!(tokens("Hello, World!"), ["hello", "world"]);
        assert_eq!(
            tokens("snake_case __x__ a-b"),
            ["snake_case", "__x__", "a", "b"]
        );
        assert_eq!(
            tokens("3.14 is ½ of 2020s"),
            ["3", "14", "is", "½", "of", "2020s"]
        );
        assert_eq!(tokens("don't ‘quote’"), ["don", "t", "quote"]);
        assert_eq!(
            tokens("Größe ÉCOLE 東京 Ωμέγα"),
            ["größe", "école", "東京", "ωμέγα"]
        );
        // Python's lower() applies final sigma; so does str::to_lowercase.
        assert_eq!(tokens("ΟΔΟΣ"), ["οδος"]);
        assert_eq!(tokens("١٢٣ x²"), ["١٢٣", "x²"]);
        assert!(tokens(" \n\t—…!").is_empty());
        assert!(tokens("").is_empty());
    }

    #[test]
    fn page_scores() {
        assert_eq!(score_page("", "a b"), (0.0, 0.0, 0.0));
        assert_eq!(score_page("a b", ""), (0.0, 0.0, 0.0));
        assert_eq!(score_page("", ""), (0.0, 0.0, 0.0));
        assert_eq!(score_page("A b, b", "a B b"), (1.0, 1.0, 1.0));
        // pred {a, a, c}, gold {a, b}: I = 1.
        let (p, r, f) = score_page("a a c", "a b");
        assert_eq!((p, r), (1.0 / 3.0, 0.5));
        assert!((f - 0.4).abs() < 1e-12);
    }

    #[test]
    fn missing_and_sites() {
        let gold = vec![(s("1"), s("a b")), (s("2"), s("c d")), (s("3"), s("e"))];
        let pred = vec![
            (s("1"), s("a b"), None),
            (s("3"), s("e"), Some(s("z.com"))),
            (s("9"), s("ignored"), None),
        ];
        let sites: HashMap<String, String> = [(s("1"), s("x.com")), (s("2"), s("x.com"))]
            .into_iter()
            .collect();
        let rep = evaluate(pred, gold, &sites);
        assert_eq!(rep.missing, ["2"]);
        assert_eq!(
            rep.pages.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["1", "2", "3"]
        );
        assert_eq!(rep.pages[1].f1, 0.0);
        assert_eq!(rep.pages[1].gold_tokens, 2);
        assert_eq!(rep.overall.n, 3);
        assert!((rep.overall.f1 - 2.0 / 3.0).abs() < 1e-12);
        let names: Vec<_> = rep
            .by_site
            .iter()
            .map(|(n, s)| (n.as_str(), s.n, s.f1))
            .collect();
        assert_eq!(names, [("x.com", 2, 0.5), ("z.com", 1, 1.0)]);
        let j = rep.to_json();
        assert_eq!(j["missing"], 1);
        assert_eq!(j["F1"], 0.6667);
        assert_eq!(j["by_site"]["x.com"]["n"], 2);
        let t = rep.render_table(true);
        assert!(
            t.contains("\nx.com                                2  0.500  0.500  0.500\n"),
            "{t}"
        );
        assert!(t.ends_with("ALL                                  3  0.667  0.667  0.667\n"));

        // Unknown site groups under "?"; no gold at all gives zero figures.
        let rep = evaluate(vec![], vec![(s("1"), s("a"))], &HashMap::new());
        assert_eq!(rep.by_site[0].0, "?");
        let rep = evaluate(vec![], vec![], &HashMap::new());
        assert_eq!(
            rep.overall,
            Summary {
                n: 0,
                p: 0.0,
                r: 0.0,
                f1: 0.0
            }
        );
    }

    #[test]
    fn file_errors() {
        let dir = std::env::temp_dir().join(format!("dechrome-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gold = dir.join("gold.jsonl");
        let pred = dir.join("pred.jsonl");
        std::fs::write(
            &gold,
            "{\"id\":\"1\",\"gold\":\"a b\"}\n\n{\"id\":2,\"text\":\"c\"}\n",
        )
        .unwrap();
        std::fs::write(&pred, "{\"id\":\"1\",\"body\":\"a\"}\n{\"id\":\"2\"}\n").unwrap();
        let rep = evaluate_files(&pred, &gold, None, "body");
        let e = rep.unwrap_err().to_string();
        assert!(e.contains("pred.jsonl:2: field \"body\" is missing"), "{e}");
        std::fs::write(
            &pred,
            "{\"id\":\"1\",\"body\":\"a\"}\n{\"id\":\"2\",\"body\":\"c\"}\n",
        )
        .unwrap();
        let rep = evaluate_files(&pred, &gold, None, "body").unwrap();
        assert_eq!((rep.overall.n, rep.pages[1].f1), (2, 1.0));
        std::fs::write(&pred, "{\"id\":\"1\"\n").unwrap();
        let e = evaluate_files(&pred, &gold, None, "text")
            .unwrap_err()
            .to_string();
        assert!(e.contains("pred.jsonl:1: invalid JSON"), "{e}");
        let e = evaluate_files(&dir.join("nope"), &gold, None, "text").unwrap_err();
        assert!(matches!(e, crate::Error::Eval(EvalError::Open { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Agreement with `score.py` on big9. Expected figures come from
    /// `python3 shared/tools/score.py PRED shared/data/big9/gold.jsonl --json`
    /// (and `--by-site` for the trafilatura table).
    #[test]
    fn big9_agrees_with_score_py() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/big9");
        if !dir.join("gold.jsonl").is_file() {
            eprintln!(
                "note: {} not found; skipping big9 agreement test",
                dir.display()
            );
            return;
        }
        let gold = dir.join("gold.jsonl");
        let cases = [
            ("pred/trafilatura.jsonl", 0.9448, 0.9771, 0.9586),
            ("pred/readability.jsonl", 0.9316, 0.9454, 0.9371),
            ("pred/line-dedup.jsonl", 0.825, 0.9963, 0.8933),
            ("pages.jsonl", 0.5538, 0.9999, 0.6952), // "all text" baseline
        ];
        for (file, p, r, f1) in cases {
            let rep = evaluate_files(&dir.join(file), &gold, None, "text").unwrap();
            let o = rep.overall;
            assert_eq!((o.n, rep.missing.len()), (359, 0), "{file}");
            for (got, want) in [(o.p, p), (o.r, r), (o.f1, f1)] {
                assert!(
                    (got - want).abs() <= 5.1e-5,
                    "{file}: {got} vs score.py {want}"
                );
            }
        }
        let rep = evaluate_files(&dir.join("pred/trafilatura.jsonl"), &gold, None, "text").unwrap();
        let want = "\
site                             pages      P      R     F1
arstechnica                         40  0.987  0.954  0.970
bbc                                 40  0.911  0.996  0.950
cnn                                 40  0.941  0.958  0.946
forbes                              40  0.901  0.967  0.930
foxnews                             40  0.958  0.987  0.971
latimes                             39  0.925  0.988  0.955
nymag                               40  0.970  0.988  0.977
nypost                              40  0.946  0.979  0.960
yahoo                               40  0.963  0.979  0.968
ALL                                359  0.945  0.977  0.959
";
        assert_eq!(rep.render_table(true), want);
    }
}
