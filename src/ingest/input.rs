//! Inputs: the only module that opens files.
//!
//! An [`Input`] is stdin (`-`) or a path. Directories expand to the dump files
//! inside them (sorted, hidden files skipped, unknown extensions listed as
//! skipped). Standard corpus layouts are recognised so that their metadata
//! is neither read as comments nor rejected ([`Expanded::not_comments`]):
//! RumourEval/PHEME thread folders contribute only their tweets (and
//! answer keys such as `train-key.json` are not read), a ConvoKit corpus
//! folder only its `utterances.jsonl`, an IAC release only `discussions/`
//! (not `quotes/`), and nowhere README files or label folders
//! (`annotations/`, `train-annotations/`).
//! Compression is recognised by magic bytes: zstd (with a 2^31
//! window, as Pushshift dumps need) and gzip.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where records come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file or a directory.
    Path(PathBuf),
    /// Bytes already in memory (a request body to `serve`), with the name
    /// its records' `source` carries.
    Memory {
        /// Name in messages and `source` (`request`).
        name: Arc<str>,
        /// The content (compressed or not, as a file would be).
        bytes: Arc<[u8]>,
    },
}

/// Extensions (after removing `.zst`/`.gz`) that directory walks pick up.
pub const DUMP_EXTENSIONS: &[&str] = &[
    "jsonl",
    "ndjson",
    "jsonlines",
    "json",
    "csv",
    "tsv",
    "xml",
    "wxr",
    "txt",
];

impl Input {
    /// `-` is stdin, anything else a path.
    pub fn from_arg(s: &str) -> Input {
        if s == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(s))
        }
    }

    /// The name used in messages (`-` for stdin).
    pub fn name(&self) -> Arc<str> {
        match self {
            Input::Stdin => "-".into(),
            Input::Path(p) => p.display().to_string().into(),
            Input::Memory { name, .. } => name.clone(),
        }
    }

    /// Extension after stripping a compression suffix, lowercased.
    /// An input in memory has the extension of its name (`x.csv`).
    pub fn inner_extension(&self) -> Option<String> {
        let mut p: &Path = match self {
            Input::Path(p) => p,
            Input::Memory { name, .. } => Path::new(&**name),
            Input::Stdin => return None,
        };
        let stripped;
        if let Some(ext) = p.extension().and_then(|e| e.to_str()) {
            let e = ext.to_ascii_lowercase();
            if e == "zst" || e == "gz" || e == "zstd" {
                stripped = p.with_extension("");
                p = &stripped;
            }
        }
        p.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
    }

    /// File stem without compression and format suffixes (`a.jsonl.zst` → `a`).
    pub fn stem(&self) -> String {
        let name = match self {
            Input::Stdin => return "stdin".to_string(),
            Input::Memory { name, .. } => name.to_string(),
            Input::Path(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let mut s = name.as_str();
        for compressed in [true, false] {
            if let Some((a, ext)) = s.rsplit_once('.') {
                let is_comp = matches!(ext.to_ascii_lowercase().as_str(), "zst" | "zstd" | "gz");
                if !a.is_empty() && (is_comp || !compressed) {
                    s = a;
                }
            }
        }
        s.to_string()
    }

    /// Expand directories (recursively, sorted by name) into files.
    pub fn expand(&self) -> io::Result<Expanded> {
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        let mut not_comments = Vec::new();
        match self {
            Input::Stdin => files.push(Input::Stdin),
            Input::Path(p) if p.is_dir() => {
                let mut stack = vec![p.clone()];
                while let Some(dir) = stack.pop() {
                    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            !p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with('.'))
                        })
                        .collect();
                    entries.sort();
                    if is_thread_folder(&dir) {
                        // RumourEval/PHEME thread folder: only the tweets are records.
                        let skipped = &mut not_comments;
                        for e in entries {
                            let sub = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
                            if e.is_dir() && (sub == "source-tweet" || sub == "replies") {
                                let mut tweets: Vec<PathBuf> = std::fs::read_dir(&e)?
                                    .filter_map(|x| x.ok().map(|x| x.path()))
                                    .collect();
                                tweets.sort();
                                for t in tweets {
                                    if t.extension().is_some_and(|x| x == "json") {
                                        files.push(Input::Path(t));
                                    } else {
                                        skipped.push(t);
                                    }
                                }
                            } else {
                                skipped.push(e);
                            }
                        }
                        continue;
                    }
                    let layout = Layout::of(&dir);
                    let mut subdirs = Vec::new();
                    for e in entries {
                        if !layout.holds_comments(&e) {
                            not_comments.push(e);
                        } else if e.is_dir() {
                            subdirs.push(e);
                        } else {
                            let inp = Input::Path(e.clone());
                            match inp.inner_extension() {
                                Some(x) if DUMP_EXTENSIONS.contains(&x.as_str()) => files.push(inp),
                                _ => skipped.push(e),
                            }
                        }
                    }
                    // Visit subdirectories in name order (stack is LIFO).
                    stack.extend(subdirs.into_iter().rev());
                }
            }
            Input::Path(_) | Input::Memory { .. } => files.push(self.clone()),
        }
        Ok(Expanded {
            files,
            skipped,
            not_comments,
        })
    }

    /// Open for reading, decompressing zstd or gzip by magic bytes.
    pub fn open(&self) -> io::Result<Box<dyn BufRead + Send>> {
        self.open_counted(None)
    }

    /// [`Input::open`], adding the bytes read from the file (before any
    /// decompression) to `counter` (for a progress bar in bytes).
    pub fn open_counted(
        &self,
        counter: Option<&Arc<AtomicU64>>,
    ) -> io::Result<Box<dyn BufRead + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(io::stdin()),
            Input::Path(p) => Box::new(File::open(p)?),
            Input::Memory { bytes, .. } => Box::new(io::Cursor::new(bytes.clone())),
        };
        let raw: Box<dyn Read + Send> = match counter {
            Some(c) => Box::new(Counting {
                inner: raw,
                n: c.clone(),
            }),
            None => raw,
        };
        let mut br = BufReader::with_capacity(1 << 20, raw);
        match codec(br.fill_buf()?) {
            Some(Codec::Zstd) => {
                let mut dec = zstd::stream::read::Decoder::with_buffer(br)?;
                dec.window_log_max(31)?;
                Ok(Box::new(BufReader::with_capacity(1 << 20, dec)))
            }
            Some(Codec::Gzip) => {
                let dec = flate2::bufread::MultiGzDecoder::new(br);
                Ok(Box::new(BufReader::with_capacity(1 << 20, dec)))
            }
            None => Ok(Box::new(br)),
        }
    }

    /// Estimated size of the file's content after decompression: its size
    /// if not compressed, else its size times the compression ratio of the
    /// first 32 MiB of content (None for stdin or an unreadable file).
    pub fn estimated_content_bytes(&self) -> Option<u64> {
        let Input::Path(p) = self else { return None };
        let len = std::fs::metadata(p).ok()?.len();
        let mut head = [0u8; 4];
        let n = File::open(p).ok()?.read(&mut head).ok()?;
        if codec(&head[..n]).is_none() {
            return Some(len);
        }
        const SAMPLE: u64 = 32 << 20;
        let raw = Arc::new(AtomicU64::new(0));
        let mut r = self.open_counted(Some(&raw)).ok()?;
        let out = io::copy(&mut (&mut r).take(SAMPLE), &mut io::sink()).ok()?;
        let used = raw.load(Ordering::Relaxed).max(1);
        if out < SAMPLE {
            // The whole content fit in the sample.
            return Some(out);
        }
        Some((len as f64 * out as f64 / used as f64) as u64)
    }
}

/// A compression format recognised by its magic bytes.
enum Codec {
    Zstd,
    Gzip,
}

/// The compression of a file that starts with `head`, if any.
fn codec(head: &[u8]) -> Option<Codec> {
    if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Some(Codec::Zstd)
    } else if head.starts_with(&[0x1F, 0x8B]) {
        Some(Codec::Gzip)
    } else {
        None
    }
}

/// Counts the bytes that pass through.
struct Counting {
    inner: Box<dyn Read + Send>,
    n: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

/// What a directory expands to.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The files to read, in order.
    pub files: Vec<Input>,
    /// Files with an extension no reader takes.
    pub skipped: Vec<PathBuf>,
    /// Files and folders of a recognised corpus layout that hold no comments
    /// (metadata, annotations, answer keys, readmes); not read.
    pub not_comments: Vec<PathBuf>,
}

/// A ConvoKit corpus's utterances file, plain or compressed.
const UTTERANCES: [&str; 3] = [
    "utterances.jsonl",
    "utterances.jsonl.gz",
    "utterances.jsonl.zst",
];

/// The corpus layout a directory follows, by the names inside it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    /// ConvoKit corpus: `utterances.jsonl` beside `speakers.json`,
    /// `conversations.json`, `corpus.json` or `index.json`.
    ConvoKit,
    /// Internet Argument Corpus release: `discussions/` beside `quotes/` or
    /// `annotations/`.
    Iac,
    /// Anything else.
    Plain,
}

impl Layout {
    fn of(dir: &Path) -> Layout {
        let has = |n: &str| dir.join(n).exists();
        if UTTERANCES.iter().any(|u| dir.join(u).is_file())
            && [
                "speakers.json",
                "conversations.json",
                "corpus.json",
                "index.json",
            ]
            .iter()
            .any(|n| has(n))
        {
            Layout::ConvoKit
        } else if dir.join("discussions").is_dir()
            && (dir.join("quotes").is_dir() || dir.join("annotations").is_dir())
        {
            Layout::Iac
        } else {
            Layout::Plain
        }
    }

    /// Whether `entry` (a file or folder in a directory of this layout) may
    /// hold comments.
    fn holds_comments(self, entry: &Path) -> bool {
        let name = entry
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_dir = entry.is_dir();
        if !is_dir && is_documentation(&name) {
            return false;
        }
        match self {
            Layout::ConvoKit => !is_dir && UTTERANCES.contains(&name.as_str()),
            Layout::Iac => !(is_dir && (name == "quotes" || name == "annotations")),
            Layout::Plain => {
                if is_dir {
                    !is_annotation_folder(&name)
                } else {
                    !is_answer_key(&name)
                }
            }
        }
    }
}

/// A README, licence or changelog file: documentation, not comments.
fn is_documentation(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    stem.contains("readme")
        || matches!(
            stem,
            "license" | "licence" | "copying" | "changelog" | "notice"
        )
}

/// A folder of labels beside a corpus (`annotations/`,
/// RumourEval 2017's `train-annotations/`): not comments.
fn is_annotation_folder(name: &str) -> bool {
    name == "annotations" || name.ends_with("-annotations") || name.ends_with("_annotations")
}

/// A shared-task answer key (RumourEval's `train-key.json`,
/// `dev-key.json`, `final-eval-key.json`): labels, not comments.
fn is_answer_key(name: &str) -> bool {
    name.strip_suffix(".json")
        .is_some_and(|s| s.ends_with("-key") || s.ends_with("_key"))
}

/// A RumourEval/PHEME thread folder: `structure.json` beside `source-tweet/`.
/// Its `structure.json`, `urls.dat`, `raw.json` and `context/` are not comment
/// records (raw.json repeats the whole thread) and are skipped.
fn is_thread_folder(dir: &Path) -> bool {
    dir.join("structure.json").is_file() && dir.join("source-tweet").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_counted_counts_file_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "{\"id\":1}\n{\"id\":2}\n").unwrap();
        let n = Arc::new(AtomicU64::new(0));
        let mut r = Input::Path(p).open_counted(Some(&n)).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(n.load(Ordering::Relaxed), s.len() as u64);
    }

    #[test]
    fn content_size_of_plain_and_compressed_files() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let line = b"{\"id\":\"a\",\"body\":\"some repeated comment text\"}\n";
        let small: Vec<u8> = line.repeat(1000);
        let plain = dir.path().join("p.jsonl");
        std::fs::write(&plain, &small).unwrap();
        assert_eq!(
            Input::Path(plain).estimated_content_bytes(),
            Some(small.len() as u64)
        );
        // Content that fits the sample: its exact size.
        let z = dir.path().join("s.jsonl.zst");
        std::fs::write(&z, zstd::encode_all(&small[..], 3).unwrap()).unwrap();
        assert_eq!(
            Input::Path(z).estimated_content_bytes(),
            Some(small.len() as u64)
        );
        // Larger than the sample: an estimate from the sample's ratio.
        let big: Vec<u8> = (0..1_200_000u32)
            .flat_map(|i| {
                format!("{{\"id\":\"{i}\",\"body\":\"comment {}\"}}\n", i % 977).into_bytes()
            })
            .collect();
        let g = dir.path().join("b.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&big).unwrap();
        std::fs::write(&g, enc.finish().unwrap()).unwrap();
        let est = Input::Path(g).estimated_content_bytes().unwrap() as f64;
        let real = big.len() as f64;
        assert!(
            est > 0.5 * real && est < 1.5 * real,
            "estimate {est} for {real}"
        );
        assert_eq!(Input::Stdin.estimated_content_bytes(), None);
    }

    #[test]
    fn names_and_extensions() {
        let i = Input::from_arg("dir/RC_2019.jsonl.zst");
        assert_eq!(i.inner_extension().as_deref(), Some("jsonl"));
        assert_eq!(i.stem(), "RC_2019");
        assert_eq!(Input::from_arg("-"), Input::Stdin);
        assert_eq!(Input::from_arg("p/000_ab.txt").stem(), "000_ab");
        assert_eq!(Input::from_arg("valid-wxr-1.1.xml").stem(), "valid-wxr-1.1");
        assert_eq!(Input::from_arg("x.json.gz").stem(), "x");
    }

    #[test]
    fn reads_zstd_and_gzip() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let z = dir.path().join("a.jsonl.zst");
        std::fs::write(&z, zstd::encode_all(&b"{\"x\":1}\n"[..], 3).unwrap()).unwrap();
        let g = dir.path().join("b.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"{\"y\":2}\n").unwrap();
        std::fs::write(&g, enc.finish().unwrap()).unwrap();
        for (p, want) in [(z, "{\"x\":1}\n"), (g, "{\"y\":2}\n")] {
            let mut s = String::new();
            Input::Path(p)
                .open()
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            assert_eq!(s, want);
        }
        let e = Input::Path(dir.path().to_path_buf()).expand().unwrap();
        assert_eq!(e.files.len(), 2);
        assert!(e.skipped.is_empty() && e.not_comments.is_empty());
    }

    #[test]
    fn corpus_layouts_read_only_their_comments() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let put = |rel: &str| {
            let p = d.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "{}").unwrap();
        };
        // ConvoKit corpus folder.
        for f in [
            "ck/utterances.jsonl",
            "ck/speakers.json",
            "ck/conversations.json",
            "ck/corpus.json",
            "ck/index.json",
        ] {
            put(f);
        }
        // A ConvoKit folder with its utterances compressed.
        for f in [
            "ckz/utterances.jsonl.zst",
            "ckz/speakers.json",
            "ckz/corpus.json",
        ] {
            put(f);
        }
        // IAC release.
        for f in [
            "iac/discussions/1.json",
            "iac/quotes/1.json",
            "iac/annotations/topic.csv",
            "iac/IAC_readme.txt",
            "iac/IAC_README.md",
        ] {
            put(f);
        }
        // RumourEval-style release: keys and annotation folders beside thread folders.
        for f in [
            "re/train-key.json",
            "re/data/train-annotations/subtaskA.json",
            "re/tw/ev/1/structure.json",
            "re/tw/ev/1/source-tweet/1.json",
            "re/tw/ev/1/replies/2.json",
            "re/tw/ev/1/urls.dat",
            "re/tw/ev/1/context/x.json",
        ] {
            put(f);
        }
        // A plain folder: its JSON files are read whatever their names.
        put("plain/comments.json");
        put("plain/notes.txt");
        let e = Input::Path(d.to_path_buf()).expand().unwrap();
        let rel = |v: &[PathBuf]| -> Vec<String> {
            v.iter()
                .map(|p| p.strip_prefix(d).unwrap().display().to_string())
                .collect()
        };
        let files: Vec<PathBuf> = e
            .files
            .iter()
            .map(|f| match f {
                Input::Path(p) => p.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rel(&files),
            [
                "ck/utterances.jsonl",
                "ckz/utterances.jsonl.zst",
                "iac/discussions/1.json",
                "plain/comments.json",
                "plain/notes.txt",
                "re/tw/ev/1/replies/2.json",
                "re/tw/ev/1/source-tweet/1.json",
            ]
        );
        let mut nc = rel(&e.not_comments);
        nc.sort();
        assert_eq!(
            nc,
            [
                "ck/conversations.json",
                "ck/corpus.json",
                "ck/index.json",
                "ck/speakers.json",
                "ckz/corpus.json",
                "ckz/speakers.json",
                "iac/IAC_README.md",
                "iac/IAC_readme.txt",
                "iac/annotations",
                "iac/quotes",
                "re/data/train-annotations",
                "re/train-key.json",
                "re/tw/ev/1/context",
                "re/tw/ev/1/structure.json",
                "re/tw/ev/1/urls.dat",
            ]
        );
        assert!(e.skipped.is_empty(), "{:?}", e.skipped);
    }
}
