//! Temporary files removed when a run is interrupted (Ctrl-C, SIGTERM).
//!
//! Output temp files ([`crate::output::Output`]) and partition directories
//! ([`crate::forest::spill`]) register here for as long as they exist; the
//! binary's interrupt handler calls [`remove_all`] and exits, so an
//! interrupted run leaves neither a half-written output nor its temporary
//! files behind. (A normal run removes or renames them itself; `SIGKILL`
//! cannot be caught.)

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

static PATHS: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());
static NEXT: AtomicU64 = AtomicU64::new(1);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The run was interrupted: remove every registered path. Called by the
/// interrupt handler before it exits; from then on [`interrupted`] is true,
/// so an error the removal causes in the working threads (a partition file
/// gone while it is read) is not reported as the run's failure.
pub fn interrupt() -> usize {
    INTERRUPTED.store(true, Ordering::SeqCst);
    remove_all()
}

/// Whether [`interrupt`] was called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A registered path; unregistered when dropped.
#[derive(Debug)]
pub struct Registered(u64);

/// Remove `path` (a file, or a directory and its contents) if the run is
/// interrupted while the returned guard lives.
pub fn register(path: &Path) -> Registered {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    paths().push((id, path.to_path_buf()));
    // Made after the interrupt handler emptied the list: remove it now
    // (the process is about to exit 130; its writers will fail).
    if interrupted() {
        remove_all();
    }
    Registered(id)
}

impl Drop for Registered {
    fn drop(&mut self) {
        paths().retain(|(id, _)| *id != self.0);
    }
}

fn paths() -> std::sync::MutexGuard<'static, Vec<(u64, PathBuf)>> {
    PATHS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remove every registered path (best effort); returns how many were
/// removed.
pub fn remove_all() -> usize {
    remove_matching(|_| true)
}

fn remove_matching(pred: impl Fn(&Path) -> bool) -> usize {
    let mine: Vec<PathBuf> = {
        let mut all = paths();
        let (mine, rest): (Vec<_>, Vec<_>) = all.drain(..).partition(|(_, p)| pred(p));
        *all = rest;
        mine.into_iter().map(|(_, p)| p).collect()
    };
    let mut removed = 0;
    for p in mine {
        let r = if p.is_dir() {
            // Writers may still be adding files while the folder is
            // emptied (its removal then fails, not empty): try again.
            let mut r = std::fs::remove_dir_all(&p);
            for _ in 0..20 {
                if r.is_ok() || !p.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
                r = std::fs::remove_dir_all(&p);
            }
            r
        } else {
            std::fs::remove_file(&p)
        };
        removed += usize::from(r.is_ok());
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_removed_and_dropped_guards_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, sub) = (
            dir.path().join("a.tmp"),
            dir.path().join("b.tmp"),
            dir.path().join("parts"),
        );
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "y").unwrap();
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("part-0"), "z").unwrap();
        let ga = register(&a);
        let gb = register(&b);
        let _gs = register(&sub);
        drop(gb);
        // Other tests run meanwhile with paths of their own: only this
        // test's directory is cleaned (the handler cleans everything).
        assert_eq!(remove_matching(|p| p.starts_with(dir.path())), 2);
        assert!(!a.exists() && !sub.exists(), "registered paths removed");
        assert!(b.exists(), "a dropped guard's path is left alone");
        drop(ga);
    }
}
