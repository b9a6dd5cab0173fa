//! The model file: one self-describing JSON document.
//!
//! It holds the format name and version, the task and class labels, the
//! featurizer config with the WordPiece tokenizer embedded (so a model
//! never depends on a separate file that might change), the vocabulary
//! and weights (little-endian arrays in base64: a JSON array of 400k
//! floats is three times larger and slow to parse), the dense head, the
//! threshold, where the training data came from (file, rows, SHA-256), the
//! held-out metrics, and a SHA-256 of all of that. Loading refuses a file
//! that is not JSON, is truncated, is of another format or version, fails
//! its hash, or whose arrays disagree in size.

use std::io::Read;
use std::path::Path;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::written::written_digest;
use super::{Expert, Head, Model, Router, SparseModel, Task};
use crate::codec::{b64, hex};
use crate::features::embed::EmbeddingFile;
use crate::features::lexicon::LexiconRef;
use crate::features::{Embedding, FeatureConfig, Featurizer, Tokens, Vocab};

/// The `format` field of every model file.
pub const FORMAT: &str = "threadlens-model";
/// The newest version this build reads and writes. A model is written
/// with the oldest version that can hold it ([`version_for`]), so models
/// with the original settings stay readable by older builds, and an older
/// build refuses a model whose settings it would misread.
pub const VERSION: u32 = 11;

/// The format version a model with this featurizer config is written as:
/// 2 adds [`crate::features::CharWords::Unknown`], 3
/// [`crate::features::CharTf::Linear`], 4 an embedding table
/// ([`crate::features::embed`]), 5 the abusive-word lexicon's inputs
/// ([`crate::features::lexicon`]), 6 the sentiment lexicon's
/// ([`crate::features::sentiment`]), 7 the spelling folds
/// ([`crate::features::spelling`]), 8 cues read per window
/// ([`crate::features::FeatureConfig::cue_window`]), 9 negated negative
/// words left out of the sentiment inputs
/// ([`crate::features::FeatureConfig::sentiment_negation`]), 10 the
/// sentiment list's positive side
/// ([`crate::features::FeatureConfig::sentiment_positive`]), 11 the
/// shared group word ([`crate::features::groups`]).
pub fn version_for(config: &FeatureConfig, embedding: bool, lexicon: bool, sentiment: bool) -> u32 {
    if config.normalize.group_word {
        11
    } else if config.sentiment_positive {
        10
    } else if config.sentiment_negation {
        9
    } else if config.cue_window.is_some() {
        8
    } else if config.normalize.fold_spelling.is_some() {
        7
    } else if sentiment {
        6
    } else if lexicon {
        5
    } else if embedding {
        4
    } else if config.char_ngrams && config.char_tf != crate::features::CharTf::Sublinear {
        3
    } else if config.char_words != crate::features::CharWords::All {
        2
    } else {
        1
    }
}
/// Largest model file read.
const MAX_BYTES: u64 = 2 << 30;

/// Where training data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DataSource {
    /// Path as given.
    pub file: String,
    /// Rows used.
    pub rows: usize,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Provenance of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingInfo {
    /// Training files.
    pub data: Vec<DataSource>,
    /// Rows per class, in label order.
    pub class_counts: Vec<usize>,
    /// Settings used (C, folds, min_df, ...).
    pub params: serde_json::Value,
    /// Metrics on held-out data (test file or holdout), if any.
    pub metrics: serde_json::Value,
    /// Wall-clock seconds to train, in files written before training was
    /// made byte-reproducible; not recorded any more (two runs of the same
    /// command must give the same file and content hash). `train` still
    /// prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// `threadlens x.y.z`.
    pub created_by: String,
}

/// Errors loading or saving a model; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// Unreadable file.
    #[error("{file}")]
    Io {
        /// File.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Not a model file, or damaged.
    #[error("{file}: {msg}")]
    Invalid {
        /// File.
        file: String,
        /// What is wrong.
        msg: String,
    },
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    task: Task,
    labels: Vec<String>,
    featurizer: FeatureConfig,
    sides: u32,
    #[serde(with = "b64::u32s")]
    vocab_index: Vec<u32>,
    #[serde(with = "b64::f32s")]
    vocab_idf: Vec<f32>,
    experts: Vec<ExpertFile>,
    router: Option<RouterFile>,
    threshold: f64,
    #[serde(default)]
    offsets: Vec<f64>,
    training: TrainingInfo,
    tokenizer: String,
    /// Static token embeddings for the head (format version 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    embedding: Option<EmbeddingFile>,
    /// The lexicon the head reads (format version 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lexicon: Option<LexiconRef>,
    /// The sentiment lexicon the head reads (format version 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sentiment: Option<LexiconRef>,
    /// A model built into the binary whose vocabulary, idf, tokenizer and
    /// embedding `build.rs` left out (they are the model's with this
    /// content hash; see [`Model::from_json_sharing`]). Never written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shares: Option<String>,
    content_sha256: String,
}

/// A compiled-in word list a stored head reads (checked on load).
struct ListInputs<'a> {
    what: &'static str,
    stored: &'a LexiconRef,
    here: LexiconRef,
    names: &'static [&'static str],
}

#[derive(Serialize, Deserialize)]
struct Ngram {
    outputs: usize,
    #[serde(with = "b64::f32s")]
    weights: Vec<f32>,
    intercept: Vec<f64>,
}

impl Ngram {
    fn of(m: &SparseModel) -> Ngram {
        Ngram {
            outputs: m.k,
            weights: m.weights.clone(),
            intercept: m.intercept.clone(),
        }
    }

    fn check(self, features: usize, want_k: usize, what: &str) -> Result<SparseModel, String> {
        let k = self.outputs;
        if k != want_k || self.intercept.len() != k {
            return Err(format!("{what}: {k} outputs, expected {want_k}"));
        }
        if self.weights.len() != features * k
            || self.weights.iter().any(|w| !w.is_finite())
            || self.intercept.iter().any(|w| !w.is_finite())
        {
            return Err(format!(
                "{what}: {} weights for {features} features × {k} outputs",
                self.weights.len()
            ));
        }
        Ok(SparseModel {
            k,
            weights: self.weights,
            intercept: self.intercept,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ExpertFile {
    ngram: Ngram,
    head: Head,
}

#[derive(Serialize, Deserialize)]
struct RouterFile {
    domains: Vec<String>,
    ngram: Ngram,
}

fn digest(file: &File) -> String {
    let bytes = serde_json::to_vec(file).expect("serialisable");
    hex(&Sha256::digest(&bytes))
}

/// A model file's JSON with its content hash recomputed (tests that edit
/// a field behind the hash's back).
#[cfg(test)]
pub(crate) fn resealed(v: &serde_json::Value) -> Vec<u8> {
    let mut f: File = serde_json::from_value(v.clone()).expect("a model file");
    f.content_sha256 = String::new();
    f.content_sha256 = digest(&f);
    let mut out = serde_json::to_vec(&f).expect("serialisable");
    out.push(b'\n');
    out
}

impl Model {
    fn to_file(&self) -> File {
        File {
            format: FORMAT.into(),
            version: version_for(
                &self.featurizer.config,
                self.featurizer.embedding.is_some(),
                self.featurizer.lexicon,
                self.featurizer.sentiment,
            ),
            task: self.task,
            labels: self.labels.clone(),
            featurizer: self.featurizer.config,
            sides: self.sides,
            vocab_index: self.vocab.index.clone(),
            vocab_idf: self.vocab.idf.clone(),
            experts: self
                .experts
                .iter()
                .map(|e| ExpertFile {
                    ngram: Ngram::of(&e.sparse),
                    head: e.head.clone(),
                })
                .collect(),
            router: self.router.as_ref().map(|r| RouterFile {
                domains: r.domains.clone(),
                ngram: Ngram::of(&r.sparse),
            }),
            threshold: self.threshold,
            offsets: self.offsets.clone(),
            training: self.training.clone(),
            tokenizer: self.featurizer.tokens.to_json().to_string(),
            embedding: self.featurizer.embedding.as_ref().map(|e| e.to_file(false)),
            lexicon: self.featurizer.lexicon.then(LexiconRef::builtin),
            sentiment: self
                .featurizer
                .sentiment
                .then(crate::features::sentiment::reference),
            shares: None,
            content_sha256: String::new(),
        }
    }

    /// Compute and set [`Model::hash`].
    pub fn seal(&mut self) {
        self.hash = digest(&self.to_file());
    }

    /// The artifact as JSON bytes (with its hash).
    pub fn to_json(&self) -> Vec<u8> {
        let mut f = self.to_file();
        f.content_sha256 = digest(&f);
        let mut v = serde_json::to_vec(&f).expect("serialisable");
        v.push(b'\n');
        v
    }

    /// Parse and check a model from JSON bytes; `name` is used in messages.
    pub fn from_json(bytes: &[u8], name: &str) -> Result<Model, ArtifactError> {
        Model::parse(bytes, name, None)
    }

    /// [`Model::from_json`] for a model built into the binary that `build.rs`
    /// stored without its vocabulary, idf, tokenizer and embedding because
    /// they are byte for byte `base`'s: they are taken from `base` (which
    /// must be the model whose content hash the file names), and the
    /// content hash is the one the file states, which `build.rs` checked
    /// from the whole file's bytes before it left those fields out. Any
    /// other model file is read as [`Model::from_json`] reads it.
    pub(crate) fn from_json_sharing(
        bytes: &[u8],
        name: &str,
        base: &Model,
    ) -> Result<Model, ArtifactError> {
        Model::parse(bytes, name, Some(base))
    }

    fn parse(bytes: &[u8], name: &str, base: Option<&Model>) -> Result<Model, ArtifactError> {
        let bad = |msg: String| ArtifactError::Invalid {
            file: name.to_string(),
            msg,
        };
        let header: Header = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_eof() {
                bad(format!("truncated model file ({e})"))
            } else {
                bad(format!("not a threadlens model file ({e})"))
            }
        })?;
        if header.format != FORMAT {
            return Err(bad(format!(
                "not a threadlens model file (format {:?})",
                header.format
            )));
        }
        if !(1..=VERSION).contains(&header.version) {
            return Err(bad(format!(
                "model format version {} but this threadlens reads versions 1 to {VERSION}: retrain it with this version or use a matching threadlens",
                header.version
            )));
        }
        let mut f: File =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("damaged model file: {e}")))?;
        let stored = std::mem::take(&mut f.content_sha256);
        let shared = match (f.shares.take(), base) {
            (None, _) => None,
            (Some(h), Some(b)) if h == b.hash => Some(b),
            (Some(h), _) => {
                return Err(bad(format!(
                    "leaves out the vocabulary of the model {} (only a model built into threadlens does)",
                    short(&h)
                )))
            }
        };
        let actual = match shared {
            Some(_) => stored.clone(),
            None => written_digest(bytes, &stored)
                .filter(|h| *h == stored)
                .unwrap_or_else(|| digest(&f)),
        };
        if stored != actual {
            return Err(bad(format!(
                "content hash mismatch (file says {}, content is {}): the file was modified or damaged",
                short(&stored),
                short(&actual)
            )));
        }
        f.featurizer.check().map_err(|e| bad(e.to_string()))?;
        if let Some(b) = shared {
            if f.featurizer != b.featurizer.config || f.sides != b.sides {
                return Err(bad(
                    "featurizer settings differ from the model it shares its vocabulary with"
                        .into(),
                ));
            }
        }
        // The embedding's width (the base's, for a model sharing it).
        let emb_dim = match shared {
            Some(b) => b.featurizer.embedding.as_ref().map(|e| e.dim),
            None => f.embedding.as_ref().map(|e| e.dim),
        };
        let need = version_for(
            &f.featurizer,
            emb_dim.is_some(),
            f.lexicon.is_some(),
            f.sentiment.is_some(),
        );
        if need > f.version {
            return Err(bad(format!(
                "featurizer settings need format version {need} but the file says {}",
                f.version
            )));
        }
        let embedding = match f.embedding.take() {
            Some(e) => Some(Embedding::from_file(e).map_err(|e| bad(e.to_string()))?),
            None => None,
        };
        let emb_dim = emb_dim.unwrap_or(0);
        // Word lists compiled into this build that the head reads, in input
        // order: (what, stored source and hash, this build's, input names).
        let lists: Vec<ListInputs> = [
            f.lexicon.as_ref().map(|l| ListInputs {
                what: "lexicon",
                stored: l,
                here: LexiconRef::builtin(),
                names: &crate::features::lexicon::NAMES,
            }),
            f.sentiment.as_ref().map(|l| ListInputs {
                what: "sentiment lexicon",
                stored: l,
                here: crate::features::sentiment::reference(),
                names: f.featurizer.sentiment_names(),
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        for l in &lists {
            if l.stored.sha256 != l.here.sha256 {
                return Err(bad(format!(
                    "trained with the {} {} ({}) but this threadlens has {} ({}): use the threadlens it was trained with, or retrain it",
                    l.what,
                    l.stored.source,
                    short(&l.stored.sha256),
                    l.here.source,
                    short(&l.here.sha256)
                )));
            }
        }
        let lex_dim: usize = lists.iter().map(|l| l.names.len()).sum();
        let space = f
            .featurizer
            .side_width()
            .checked_mul(f.sides)
            .filter(|_| (1..=2).contains(&f.sides));
        let Some(space) = space else {
            return Err(bad(format!("sides must be 1 or 2, found {}", f.sides)));
        };
        let vocab = match shared {
            Some(b) => b.vocab.clone(),
            None => {
                let mut vocab = Vocab::from_parts(f.vocab_index, f.vocab_idf);
                if !vocab.build_lookup(space) {
                    return Err(bad(
                        "vocabulary is inconsistent (order, range or values)".into()
                    ));
                }
                vocab
            }
        };
        let classes = f.labels.len();
        let want_k = if classes == 2 { 1 } else { classes };
        if classes < 2 {
            return Err(bad(format!("{classes} labels")));
        }
        if f.experts.is_empty() || f.experts.len() > 64 {
            return Err(bad(format!("{} experts", f.experts.len())));
        }
        if !(0.0..=1.0).contains(&f.threshold) {
            return Err(bad(format!("threshold {} outside 0..1", f.threshold)));
        }
        if !(f.offsets.is_empty() || f.offsets.len() == classes)
            || f.offsets.iter().any(|o| !o.is_finite())
        {
            return Err(bad(format!(
                "{} decision offsets for {classes} labels",
                f.offsets.len()
            )));
        }
        let dense = want_k
            + crate::features::cues::NAMES.len()
            + if f.task == Task::Stance {
                crate::features::pair::NAMES.len()
            } else {
                0
            }
            + lex_dim
            + emb_dim;
        let mut experts = Vec::new();
        for (i, e) in f.experts.into_iter().enumerate() {
            let sparse = e
                .ngram
                .check(vocab.len(), want_k, &format!("expert {i}"))
                .map_err(bad)?;
            e.head.check().map_err(|e| bad(e.to_string()))?;
            if e.head.features.len() != dense || e.head.weights.len() != want_k {
                return Err(bad(format!(
                    "expert {i}: head has {} inputs and {} outputs, expected {dense} and {want_k}",
                    e.head.features.len(),
                    e.head.weights.len()
                )));
            }
            // The word lists' inputs are defined by this build's code: a
            // head that names others was trained on other definitions.
            let mut at = dense - emb_dim - lex_dim;
            for l in &lists {
                let got = &e.head.features[at..at + l.names.len()];
                if got.iter().zip(l.names).any(|(g, n)| g != n) {
                    return Err(bad(format!(
                        "expert {i}: its head reads {} inputs {:?}, this threadlens computes {:?}: retrain it with this version",
                        l.what, got, l.names
                    )));
                }
                at += l.names.len();
            }
            experts.push(Expert {
                sparse,
                head: e.head,
            });
        }
        let router = match f.router {
            None if experts.len() == 1 => None,
            None => return Err(bad(format!("{} experts but no router", experts.len()))),
            Some(r) => {
                if r.domains.len() != experts.len() || experts.len() < 2 {
                    return Err(bad(format!(
                        "router for {} sources, {} experts",
                        r.domains.len(),
                        experts.len()
                    )));
                }
                let sparse = r
                    .ngram
                    .check(
                        vocab.len(),
                        if experts.len() == 2 { 1 } else { experts.len() },
                        "router",
                    )
                    .map_err(bad)?;
                Some(Router {
                    domains: r.domains,
                    sparse,
                })
            }
        };
        let mut featurizer = match shared {
            Some(b) => b.featurizer.clone(),
            None => {
                let tokens = Tokens::from_json(&f.tokenizer).map_err(|e| bad(e.to_string()))?;
                let mut featurizer =
                    Featurizer::new(f.featurizer, tokens).map_err(|e| bad(e.to_string()))?;
                if let Some(e) = embedding {
                    featurizer = featurizer
                        .with_embedding(e)
                        .map_err(|e| bad(e.to_string()))?;
                }
                featurizer
            }
        };
        featurizer.lexicon = f.lexicon.is_some();
        featurizer.sentiment = f.sentiment.is_some();
        Ok(Model {
            task: f.task,
            labels: f.labels,
            featurizer,
            sides: f.sides,
            vocab,
            experts,
            router,
            threshold: f.threshold,
            offsets: f.offsets,
            training: f.training,
            hash: actual,
            fused: Default::default(),
            char_reasons: Default::default(),
        })
    }

    /// Load a model file.
    pub fn load(path: &Path) -> Result<Model, ArtifactError> {
        let name = path.display().to_string();
        let io = |source| ArtifactError::Io {
            file: name.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(ArtifactError::Invalid {
                file: name,
                msg: format!("larger than {MAX_BYTES} bytes"),
            });
        }
        Model::from_json(&bytes, &name)
    }

    /// Write the model file atomically.
    pub fn save(&self, path: &Path) -> Result<(), ArtifactError> {
        // The output error names the path; the cause (read-only, full) is
        // its source, which the message must carry.
        crate::output::write_atomic(path, &self.to_json()).map_err(|e| {
            let cause =
                std::error::Error::source(&e).map_or_else(|| e.to_string(), |c| c.to_string());
            ArtifactError::Invalid {
                file: path.display().to_string(),
                msg: format!("cannot write the model: {cause}"),
            }
        })
    }
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}

/// SHA-256 of a file's bytes (training data fingerprint).
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Base64 of bytes (used by tests and tools).
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_model_is_checked_from_its_bytes_and_any_other_by_its_content() {
        let bytes = std::fs::read("models/profanity.json").unwrap();
        let mut f: File = serde_json::from_slice(&bytes).unwrap();
        let stored = std::mem::take(&mut f.content_sha256);
        // As written: the bytes give the hash the content gives.
        assert_eq!(written_digest(&bytes, &stored).as_deref(), Some(&*stored));
        assert_eq!(digest(&f), stored);
        let m = Model::from_json(&bytes, "profanity").unwrap();
        assert_eq!(m.hash, stored);
        // Re-indented: not as written, checked by content, same model.
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        assert_eq!(written_digest(&pretty, &stored), None);
        assert_eq!(Model::from_json(&pretty, "pretty").unwrap().hash, stored);
        // One weight changed: neither way accepts it.
        let at = bytes
            .windows(10)
            .position(|w| w == b"\"weights\":")
            .unwrap()
            + 12;
        let mut bad = bytes.clone();
        bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
        assert_ne!(written_digest(&bad, &stored).as_deref(), Some(&*stored));
        let e = Model::from_json(&bad, "bad").unwrap_err().to_string();
        assert!(e.contains("content hash mismatch"), "{e}");
    }
}
