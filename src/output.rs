//! Writing results: atomically to a file, or streamed to stdout.
//!
//! A regular-file output is written to a temporary file in the same directory
//! and renamed into place on success, so an interrupted run never leaves a
//! half-written file under the requested name. Anything that exists and is not
//! a regular file (`/dev/null`, a FIFO, a terminal) is written directly:
//! renaming over it would replace the device.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors from the output side.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Creating, writing or renaming failed.
    #[error("{}", path.display())]
    Io {
        /// The target.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Where output goes.
pub enum Output {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// An existing non-regular file (device, FIFO), written in place.
    Direct(BufWriter<File>),
    /// A temporary file renamed to `target` by [`Output::finish`].
    File {
        /// Temp file.
        tmp: BufWriter<tempfile::NamedTempFile>,
        /// Final path.
        target: PathBuf,
        /// Removes the temp file if the run is interrupted.
        _cleanup: crate::cleanup::Registered,
    },
}

impl Output {
    /// Stdout for `None` or `-`, else an atomic file.
    pub fn create(path: Option<&Path>) -> Result<Output, OutputError> {
        match path {
            None => Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            ))),
            Some(p) if p.as_os_str() == "-" => Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            ))),
            Some(p) if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .map_err(|e| OutputError::Io {
                        path: p.to_path_buf(),
                        source: e,
                    })?;
                Ok(Output::Direct(BufWriter::with_capacity(1 << 16, f)))
            }
            Some(p) => {
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let mut b = tempfile::Builder::new();
                b.prefix(".threadlens-").suffix(".tmp");
                // Outputs are ordinary files (the umask still applies), not
                // tempfile's private 0600.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    b.permissions(std::fs::Permissions::from_mode(0o644));
                }
                let tmp = b.tempfile_in(dir).map_err(|e| OutputError::Io {
                    path: p.to_path_buf(),
                    source: e,
                })?;
                Ok(Output::File {
                    _cleanup: crate::cleanup::register(tmp.path()),
                    tmp: BufWriter::with_capacity(1 << 16, tmp),
                    target: p.to_path_buf(),
                })
            }
        }
    }

    /// Whether [`Output::create`] of `path` writes a temporary file renamed
    /// into place (so a run can drop what it wrote and start again).
    pub fn is_atomic(path: Option<&Path>) -> bool {
        match path {
            None => false,
            Some(p) if p.as_os_str() == "-" => false,
            Some(p) => !std::fs::metadata(p).is_ok_and(|m| !m.is_file()),
        }
    }

    /// For a file output, send what was written so far to the disk now
    /// (flush and `fdatasync` the temporary file; other outputs: nothing),
    /// so that [`Output::finish`] has little left to wait for: a writer
    /// on a thread of its own calls this between batches, while the next
    /// batch is scored.
    pub fn sync_so_far(&mut self) -> io::Result<()> {
        match self {
            Output::File { tmp, .. } => {
                tmp.flush()?;
                tmp.get_ref().as_file().sync_data()
            }
            Output::Stdout(_) | Output::Direct(_) => Ok(()),
        }
    }

    /// Flush and, for files, rename into place.
    pub fn finish(self) -> Result<(), OutputError> {
        match self {
            Output::Stdout(mut w) => w.flush().map_err(|e| OutputError::Io {
                path: "-".into(),
                source: e,
            }),
            Output::Direct(mut w) => w.flush().map_err(|e| OutputError::Io {
                path: "(device)".into(),
                source: e,
            }),
            Output::File { tmp, target, .. } => {
                let tmp = tmp.into_inner().map_err(|e| OutputError::Io {
                    path: target.clone(),
                    source: e.into_error(),
                })?;
                tmp.as_file().sync_all().map_err(|e| OutputError::Io {
                    path: target.clone(),
                    source: e,
                })?;
                tmp.persist(&target).map_err(|e| OutputError::Io {
                    path: target.clone(),
                    source: e.error,
                })?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Direct(w) => w.write(buf),
            Output::File { tmp, .. } => tmp.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::Direct(w) => w.write_all(buf),
            Output::File { tmp, .. } => tmp.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Direct(w) => w.flush(),
            Output::File { tmp, .. } => tmp.flush(),
        }
    }
}

/// Write a whole file atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut o = Output::create(Some(path))?;
    o.write_all(bytes).map_err(|e| OutputError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    o.finish()
}

/// Open a file for reading with the path in the error.
pub fn open_read(path: &Path) -> Result<File, OutputError> {
    File::open(path).map_err(|e| OutputError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_appears_only_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.jsonl");
        let mut o = Output::create(Some(&p)).unwrap();
        o.write_all(b"hello\n").unwrap();
        // Synced part way (as the JSONL writer does between batches): still
        // not under the target name, and everything ends up there.
        o.sync_so_far().unwrap();
        assert!(!p.exists());
        o.write_all(b"again\n").unwrap();
        o.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "hello\nagain\n");
        // Dropped without finish: nothing appears, no temp file left behind.
        let q = dir.path().join("never.jsonl");
        let mut o = Output::create(Some(&q)).unwrap();
        o.write_all(b"x").unwrap();
        drop(o);
        assert!(!q.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn devices_are_written_in_place_not_replaced() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        let mut o = Output::create(Some(null)).unwrap();
        assert!(matches!(o, Output::Direct(_)));
        o.write_all(b"discarded").unwrap();
        o.finish().unwrap();
        assert!(!std::fs::metadata(null).unwrap().is_file());
    }
}
