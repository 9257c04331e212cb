//! WARC and WET records (placeholder until the WARC reader lands).

use std::io::BufRead;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::input::{InputConfig, Record, RecordStream};

pub struct WarcStream {
    path: PathBuf,
    done: bool,
}

impl WarcStream {
    pub fn new(_cfg: InputConfig, path: PathBuf, _r: Box<dyn BufRead + Send>) -> WarcStream {
        WarcStream { path, done: false }
    }
}

impl RecordStream for WarcStream {
    fn next_record(&mut self) -> Option<Result<Record>> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(Err(Error::Config(format!(
            "{}: WARC/WET input is not supported yet",
            self.path.display()
        ))))
    }
}
