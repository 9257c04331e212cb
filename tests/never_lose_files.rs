//! No path given to dechrome is ever deleted or replaced unless it is the output file, or a
//! directory dechrome itself wrote (marked by its manifest); a bad record is counted, never
//! dropped; a failed or interrupted job leaves nothing behind. One test per case found by
//! trying to break it (issue 16), named after the case. See docs/bad-input.md.

mod io_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use io_support::*;

const FAILED: i32 = 1;
const SKIPPED: i32 = 3;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample.jsonl")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn in_dir(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A crawl big enough that `run` takes a while (several MB), written once per test.
fn big_crawl(dir: &Path) -> PathBuf {
    let p = dir.join("big.jsonl");
    let o = dechrome(&[
        "generate",
        "--sites",
        "30",
        "--pages-per-site",
        "40",
        "--seed",
        "3",
        "-o",
        io_support::p(&p),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    p
}

fn page(i: usize) -> String {
    format!(
        "{{\"id\":\"p{i}\",\"site\":\"s\",\"text\":\"Home\\nNews\\nStory number {i} tells its own tale\\nFooter\"}}\n"
    )
}

#[test]
fn regression_force_on_dot_or_dotdot_deletes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    std::fs::create_dir(&a).unwrap();
    std::fs::write(a.join("f"), "k").unwrap();
    let s = sample();
    for out in [".", ".."] {
        let o = in_dir(&a, &["run", io_support::p(&s), "-o", out, "--force", "-q"]);
        assert_eq!(code(&o), FAILED, "{out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("not written by dechrome"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(std::fs::read_to_string(a.join("f")).unwrap(), "k");
    assert_eq!(names(t.path()), ["a"]);
}

#[test]
fn regression_force_on_a_directory_dechrome_did_not_write_deletes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let w = t.path().join("w");
    std::fs::create_dir(&w).unwrap();
    std::fs::write(w.join("notes"), "k").unwrap();
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        io_support::p(&w),
        "--force",
        "-q",
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert_eq!(names(&w), ["notes"]);
    // A directory dechrome wrote is marked, and --force replaces it.
    let d = t.path().join("out");
    let s = sample();
    for force in [false, true] {
        let mut args = vec!["run", io_support::p(&s), "-o", io_support::p(&d), "-q"];
        if force {
            args.push("--force");
        }
        let o = dechrome(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(d.join(".dechrome-output").is_file());
    assert_eq!(names(&d).len(), 121, "120 pages and the manifest");
}

#[test]
fn regression_force_keeps_a_file_a_user_added_to_a_directory_dechrome_wrote() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("out");
    let s = sample();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", io_support::p(&s), "-o", io_support::p(&d), "-q"];
        args.extend_from_slice(extra);
        dechrome(&args)
    };
    assert!(run(&[]).status.success());
    // The manifest lists what dechrome wrote: --force replaces exactly that.
    assert!(run(&["--force"]).status.success());
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/notes.txt"), "k").unwrap();
    let o = run(&["--force"]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("mine/notes.txt") && stderr(&o).contains("did not write"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("mine/notes.txt")).unwrap(),
        "k"
    );
    assert_eq!(
        names(&d).len(),
        122,
        "120 pages, the manifest and the user's folder"
    );
    // Moved out, the directory is dechrome's again.
    std::fs::remove_dir_all(d.join("mine")).unwrap();
    assert!(run(&["--force"]).status.success());
}

#[test]
fn regression_input_inside_the_output_directory_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let w = t.path().join("w");
    std::fs::create_dir(&w).unwrap();
    std::fs::copy(sample(), w.join("in.jsonl")).unwrap();
    let o = dechrome(&[
        "run",
        io_support::p(&w.join("in.jsonl")),
        "-o",
        io_support::p(&w),
        "--force",
        "-q",
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert_eq!(names(&w), ["in.jsonl"]);
}

#[test]
fn regression_output_created_while_the_job_runs_is_not_replaced() {
    let t = tempfile::tempdir().unwrap();
    let input = big_crawl(t.path());
    for out in ["out.jsonl", "outdir"] {
        let target = t.path().join(out);
        let child = Command::new(env!("CARGO_BIN_EXE_dechrome"))
            .args(["run", io_support::p(&input), "-o", io_support::p(&target)])
            .args(["-q", "-j", "1"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Someone else writes the output while the job runs (or even before it checks).
        if out.ends_with(".jsonl") {
            std::fs::write(&target, "mine").unwrap();
        } else {
            std::fs::create_dir(&target).unwrap();
            std::fs::write(target.join("mine"), "mine").unwrap();
        }
        let o = child.wait_with_output().unwrap();
        assert_eq!(code(&o), FAILED, "{}", stderr(&o));
        assert!(stderr(&o).contains("output exists"), "{}", stderr(&o));
        if out.ends_with(".jsonl") {
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");
        } else {
            assert_eq!(names(&target), ["mine"]);
        }
    }
    assert!(
        !names(t.path()).iter().any(|n| n.contains(".tmp.")),
        "{:?}",
        names(t.path())
    );
}

#[test]
fn regression_stats_json_naming_the_output_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out.jsonl");
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        io_support::p(&out),
        "--stats-json",
        io_support::p(&out),
        "-q",
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert!(!out.exists());
    // Nor does --stats-json overwrite a file without --force.
    let stats = t.path().join("stats.json");
    std::fs::write(&stats, "mine").unwrap();
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        io_support::p(&out),
        "--stats-json",
        io_support::p(&stats),
        "-q",
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&stats).unwrap(), "mine");
    assert!(!out.exists());
}

#[test]
fn regression_directory_output_keeps_records_with_the_same_id_and_long_ids() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    let long = "x".repeat(300);
    let mut s = String::new();
    for (i, id) in ["same", "same", "Same", long.as_str()].iter().enumerate() {
        s.push_str(&page(i).replacen(&format!("\"p{i}\""), &format!("\"{id}\""), 1));
    }
    std::fs::write(&input, s).unwrap();
    let d = t.path().join("out");
    let o = dechrome(&["run", io_support::p(&input), "-o", io_support::p(&d), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files: Vec<String> = names(&d)
        .into_iter()
        .filter(|n| n != ".dechrome-output")
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(files.iter().all(|n| n.len() < 255));
}

#[test]
fn regression_deeply_nested_extra_field_with_keep_removed_does_not_panic() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let mut s = String::new();
    for i in 0..4 {
        s.push_str(&page(i).replacen('{', &format!("{{\"deep\":{deep},"), 1));
    }
    std::fs::write(&input, s).unwrap();
    let out = t.path().join("out.jsonl");
    let o = dechrome(&[
        "run",
        io_support::p(&input),
        "-o",
        io_support::p(&out),
        "--keep-removed",
        "-q",
    ]);
    assert!(code(&o) == 0 || code(&o) == SKIPPED, "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let skipped = stderr(&o).matches("skipped:").count();
    assert_eq!(text.lines().count() + skipped, 4, "{}", stderr(&o));
}

#[test]
fn regression_jsonl_starting_with_a_byte_order_mark_is_jsonl() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    let mut s = String::from("\u{feff}");
    for i in 0..3 {
        s.push_str(&page(i));
    }
    std::fs::write(&input, s).unwrap();
    for format in [None, Some("jsonl")] {
        let out = t.path().join("out.jsonl");
        let mut args = vec!["run", io_support::p(&input), "-o", io_support::p(&out)];
        args.extend(["-q", "--force"]);
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        let o = dechrome(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let ids = ids_of(&std::fs::read_to_string(&out).unwrap());
        assert_eq!(ids, ["p0", "p1", "p2"]);
    }
}

#[test]
fn regression_duplicate_text_keys_are_a_bad_record() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    let mut s = page(0);
    s.push_str("{\"id\":\"dup\",\"site\":\"s\",\"text\":\"one\",\"text\":\"two\"}\n");
    s.push_str(&page(2));
    std::fs::write(&input, s).unwrap();
    let out = t.path().join("out.jsonl");
    let o = dechrome(&[
        "run",
        io_support::p(&input),
        "-o",
        io_support::p(&out),
        "-q",
    ]);
    assert_eq!(code(&o), SKIPPED, "{}", stderr(&o));
    assert!(stderr(&o).contains("record 2"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("\"text\" appears twice"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        ids_of(&std::fs::read_to_string(&out).unwrap()),
        ["p0", "p2"]
    );
}

#[test]
fn regression_model_cut_short_while_cleaning_is_a_message_not_a_crash() {
    // A model replaced in place (not by rename) while `clean` has it mapped: the damage is
    // reported as such, never a bare SIGBUS or a panic.
    let t = tempfile::tempdir().unwrap();
    let input = big_crawl(t.path());
    let model = t.path().join("m.model");
    let o = dechrome(&[
        "learn",
        io_support::p(&input),
        "-o",
        io_support::p(&model),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let child = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args([
            "clean",
            io_support::p(&input),
            "--model",
            io_support::p(&model),
        ])
        .args(["-o", "/dev/null", "-q", "-j", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&model)
        .unwrap()
        .set_len(100)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    if !o.status.success() {
        assert_eq!(code(&o), FAILED, "{err}");
        assert!(err.contains("changed while"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn regression_threads_have_an_upper_bound() {
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        "/dev/null",
        "-j",
        "100000",
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert!(stderr(&o).contains("--threads"), "{}", stderr(&o));
}

#[test]
fn regression_a_page_of_millions_of_lines_is_a_counted_bad_record() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    let mut s = page(0);
    s.push_str("{\"id\":\"huge\",\"site\":\"s\",\"text\":\"");
    s.push_str(&"ab\\n".repeat(300_000));
    s.push_str("\"}\n");
    s.push_str(&page(2));
    std::fs::write(&input, s).unwrap();
    let out = t.path().join("out.jsonl");
    let o = dechrome(&[
        "run",
        io_support::p(&input),
        "-o",
        io_support::p(&out),
        "-q",
    ]);
    assert_eq!(code(&o), SKIPPED, "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-page-lines"), "{}", stderr(&o));
    assert_eq!(
        ids_of(&std::fs::read_to_string(&out).unwrap()),
        ["p0", "p2"]
    );
    let o = dechrome(&[
        "run",
        io_support::p(&input),
        "-o",
        io_support::p(&out),
        "--max-page-lines",
        "400000",
        "--force",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn regression_run_checks_every_output_before_learning() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("file");
    std::fs::write(&file, "").unwrap();
    let existing = t.path().join("existing.jsonl");
    std::fs::write(&existing, "mine").unwrap();
    let s = sample();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "-o".into(),
            t.path().join("nope/x.jsonl").display().to_string(),
        ],
        vec!["-o".into(), file.join("x.jsonl").display().to_string()],
        vec!["-o".into(), existing.display().to_string()],
        vec![
            "-o".into(),
            t.path().join("a.jsonl").display().to_string(),
            "--gold".into(),
            t.path().join("missing-gold.jsonl").display().to_string(),
        ],
        vec![
            "-o".into(),
            existing.display().to_string(),
            "--save-model".into(),
            t.path().join("new.model").display().to_string(),
        ],
    ];
    for extra in cases {
        let mut args = vec!["run", io_support::p(&s)];
        args.extend(extra.iter().map(String::as_str));
        let o = dechrome(&args);
        assert_eq!(code(&o), FAILED, "{extra:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("pages"),
            "learned first: {}",
            stderr(&o)
        );
    }
    let o = dechrome(&[
        "learn",
        io_support::p(&s),
        "-o",
        io_support::p(&t.path().join("nope/m.model")),
    ]);
    assert_eq!(code(&o), FAILED);
    // Nothing was left behind by any of them.
    assert_eq!(names(t.path()), ["existing.jsonl", "file"]);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine");
}

#[test]
fn regression_interrupted_job_leaves_no_temporaries() {
    let t = tempfile::tempdir().unwrap();
    let input = big_crawl(t.path());
    let spill = t.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let out = t.path().join("out.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(["run", io_support::p(&input), "-o", io_support::p(&out)])
        .args([
            "--memory",
            "1M",
            "--temp-dir",
            io_support::p(&spill),
            "-q",
            "-j",
            "1",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the job has something on disk, then interrupt it.
    let start = Instant::now();
    while names(&spill).is_empty() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: signals our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    if !status.success() {
        assert!(names(&spill).is_empty(), "{:?}", names(&spill));
        assert!(!out.exists());
        assert!(!names(t.path()).iter().any(|n| n.contains(".tmp.")));
    }
}

#[test]
fn regression_temporaries_of_dead_jobs_are_swept() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out.jsonl");
    // PIDs above the kernel's pid_max never run.
    let stale = t.path().join(".out.jsonl.tmp.4194399");
    std::fs::write(&stale, "left by a killed job").unwrap();
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        io_support::p(&out),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(names(t.path()), ["out.jsonl"]);
}

#[test]
fn regression_output_names_that_do_not_say_a_format_are_refused() {
    let t = tempfile::tempdir().unwrap();
    for name in ["x.txt", "x.jsonl.bz2"] {
        let o = dechrome(&[
            "run",
            io_support::p(&sample()),
            "-o",
            io_support::p(&t.path().join(name)),
        ]);
        assert_eq!(code(&o), FAILED, "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("--output-format"), "{}", stderr(&o));
    }
    let o = dechrome(&["learn", io_support::p(&sample()), "-o", "-"]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert!(names(t.path()).is_empty());
}

#[test]
fn regression_output_through_a_symlink_replaces_the_target_not_the_link() {
    let t = tempfile::tempdir().unwrap();
    let target = t.path().join("real.jsonl");
    std::fs::write(&target, "old").unwrap();
    let link = t.path().join("link.jsonl");
    std::os::unix::fs::symlink("real.jsonl", &link).unwrap();
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        io_support::p(&link),
        "--force",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        ids_of(&std::fs::read_to_string(&target).unwrap()).len(),
        120
    );
}

#[test]
fn regression_output_inside_an_input_directory_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("a.txt"),
        "Home\nA page of text that says something\n",
    )
    .unwrap();
    let o = dechrome(&[
        "run",
        io_support::p(&input),
        "-o",
        io_support::p(&input.join("out.jsonl")),
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert_eq!(names(&input), ["a.txt"]);
}

#[test]
fn regression_skipped_records_do_not_advise_skipping_them() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    std::fs::write(&input, format!("{}{{oops\n{}", page(0), page(2))).unwrap();
    let o = dechrome(&["run", io_support::p(&input), "-o", "/dev/null", "-q"]);
    assert_eq!(code(&o), SKIPPED, "{}", stderr(&o));
    assert!(stderr(&o).contains("record 2"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("--on-error skip"), "{}", stderr(&o));
    let o = dechrome(&[
        "run",
        io_support::p(&input),
        "-o",
        "/dev/null",
        "--on-error",
        "fail",
    ]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert!(stderr(&o).contains("--on-error skip"), "{}", stderr(&o));
}

#[test]
fn regression_lone_surrogate_escape_is_named() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.jsonl");
    std::fs::write(
        &input,
        format!(
            "{}{{\"id\":\"x\",\"text\":\"a\\ud800b\"}}\n{}",
            page(0),
            page(2)
        ),
    )
    .unwrap();
    let o = dechrome(&["run", io_support::p(&input), "-o", "/dev/null", "-q"]);
    assert_eq!(code(&o), SKIPPED, "{}", stderr(&o));
    assert!(stderr(&o).contains("surrogate"), "{}", stderr(&o));
}

#[test]
fn regression_os_errors_are_said_once_and_name_the_output() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let o = dechrome(&["run", io_support::p(&sample()), "-o", "/dev/full", "-q"]);
    assert_eq!(code(&o), FAILED, "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("No space left on device").count(),
        1,
        "{}",
        stderr(&o)
    );
    let out = t.path().join("ro/x.jsonl");
    let o = dechrome(&[
        "run",
        io_support::p(&sample()),
        "-o",
        io_support::p(&out),
        "-q",
    ]);
    assert!(stderr(&o).contains("ro/x.jsonl"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(".tmp."), "{}", stderr(&o));
}
