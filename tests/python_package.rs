//! The Python package's tests (`python/tests`, pytest): the API, PySpark in `local[2]` mode and
//! datatrove's `LocalPipelineExecutor`, each compared byte for byte with this build's
//! `dechrome`. They run when `DECHROME_PYTEST` names a Python that has the package installed
//! with pytest, pyarrow, pyspark and datatrove (`.ci/run` sets one up); skipped otherwise.

use std::path::Path;
use std::process::Command;

#[test]
fn python_package_tests() {
    let Some(python) = std::env::var_os("DECHROME_PYTEST") else {
        eprintln!("DECHROME_PYTEST unset; the Python package's tests skipped");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(python)
        .args([
            "-m",
            "pytest",
            "python/tests",
            "-q",
            "-p",
            "no:cacheprovider",
        ])
        .current_dir(root)
        .env("DECHROME_BIN", env!("CARGO_BIN_EXE_dechrome"))
        .status()
        .expect("DECHROME_PYTEST runs");
    assert!(status.success(), "the Python package's tests failed");
}
