//! Static token embeddings: one vector per WordPiece id of the model's
//! tokenizer, distilled offline from a sentence encoder
//! (`scripts/distill_embeddings.py`: each piece embedded on its own by
//! all-MiniLM-L6-v2, reduced by PCA). A text's embedding is the
//! L2-normalised sum of its tokens' rows; it feeds the dense head beside
//! the n-gram score, so the model knows what words it never saw labelled
//! are close to, which a small dataset cannot teach it (in the shipped
//! table the cosine of `kill` and `slaughter` is 0.52, of `idiot` and
//! `moron` 0.61, of `kill` and `coffee` −0.12).
//!
//! The table is stored as `i8` per value with an `f32` scale per row
//! (16,000 × 64 values: 1 MB), so it travels inside every model file that
//! uses it.

use serde::{Deserialize, Serialize};

use super::FeatureError;
use crate::codec::{b64, hex};

/// The `format` field of an embedding table file.
pub const FORMAT: &str = "threadlens-embeddings";

/// A table of token vectors, indexed by the tokenizer's ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    /// Values per token.
    pub dim: usize,
    /// Where the vectors came from (stored, shown by `models`).
    pub source: String,
    /// Fingerprint of the tokenizer vocabulary the rows belong to
    /// ([`vocab_fingerprint`]).
    pub vocab_sha256: String,
    /// Per row: the factor turning its `i8` values into floats.
    pub scale: Vec<f32>,
    /// `rows × dim` quantised values, row-major.
    pub data: Vec<i8>,
}

/// The table as stored (in its own file, and inside a model).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmbeddingFile {
    /// [`FORMAT`] (in table files; empty inside a model).
    #[serde(default)]
    pub format: String,
    /// Values per token.
    pub dim: usize,
    /// Rows (= the tokenizer's vocabulary size).
    pub rows: usize,
    /// Provenance.
    pub source: String,
    /// [`vocab_fingerprint`] of the tokenizer.
    pub vocab_sha256: String,
    /// Row scales, little-endian `f32` in base64.
    pub scale: String,
    /// Values, `i8` in base64.
    pub data: String,
}

impl Embedding {
    /// Rows in the table.
    pub fn rows(&self) -> usize {
        self.scale.len()
    }

    /// Check and unpack a stored table.
    pub fn from_file(f: EmbeddingFile) -> Result<Embedding, FeatureError> {
        let bad = |m: String| FeatureError::Config(format!("embedding table: {m}"));
        if f.dim == 0 || f.dim > 1024 {
            return Err(bad(format!("{} values per token (1 to 1024)", f.dim)));
        }
        let scale =
            b64::decode(&f.scale, f32::from_le_bytes).map_err(|e| bad(format!("scale: {e}")))?;
        if scale.len() != f.rows {
            return Err(bad(format!(
                "{} scale bytes for {} rows",
                scale.len() * 4,
                f.rows
            )));
        }
        if scale.iter().any(|s| !s.is_finite()) {
            return Err(bad("a row scale is not finite".into()));
        }
        let data =
            b64::decode(&f.data, i8::from_le_bytes).map_err(|e| bad(format!("data: {e}")))?;
        if Some(data.len()) != f.rows.checked_mul(f.dim) {
            return Err(bad(format!(
                "{} values for {} rows × {}",
                data.len(),
                f.rows,
                f.dim
            )));
        }
        Ok(Embedding {
            dim: f.dim,
            source: f.source,
            vocab_sha256: f.vocab_sha256,
            scale,
            data,
        })
    }

    /// The table as stored; `format` is set for a table file of its own.
    pub fn to_file(&self, standalone: bool) -> EmbeddingFile {
        EmbeddingFile {
            format: if standalone {
                FORMAT.into()
            } else {
                String::new()
            },
            dim: self.dim,
            rows: self.rows(),
            source: self.source.clone(),
            vocab_sha256: self.vocab_sha256.clone(),
            scale: b64::encode(&self.scale, f32::to_le_bytes),
            data: b64::encode(&self.data, i8::to_le_bytes),
        }
    }

    /// Read a table file (as `scripts/distill_embeddings.py` writes it).
    pub fn load(path: &std::path::Path) -> Result<Embedding, FeatureError> {
        let name = path.display();
        let bytes = std::fs::read(path)
            .map_err(|e| FeatureError::Config(format!("embedding table {name}: {e}")))?;
        let f: EmbeddingFile = serde_json::from_slice(&bytes).map_err(|e| {
            FeatureError::Config(format!("embedding table {name}: not a table file ({e})"))
        })?;
        if f.format != FORMAT {
            return Err(FeatureError::Config(format!(
                "embedding table {name}: format {:?}, expected {FORMAT:?}",
                f.format
            )));
        }
        Embedding::from_file(f)
    }

    /// Append the embedding of a text with token ids `ids` to `out`: the
    /// sum of their rows, L2-normalised (`dim` zeros for a text without
    /// tokens). Ids outside the table count as nothing.
    pub fn text_vector(&self, ids: &[u32], out: &mut Vec<f64>) {
        let d = self.dim;
        let start = out.len();
        out.resize(start + d, 0.0);
        let acc = &mut out[start..];
        // Accumulated in f32 on the stack (the usual widths), zeroed only
        // as wide as the table.
        let mut small = [0f32; 128];
        let mut large = Vec::new();
        let sum: &mut [f32] = if d <= small.len() {
            &mut small[..d]
        } else {
            large.resize(d, 0.0);
            &mut large
        };
        for &id in ids {
            let r = id as usize;
            let Some(&sc) = self.scale.get(r) else {
                continue;
            };
            let row = &self.data[r * d..(r + 1) * d];
            for (a, &v) in sum.iter_mut().zip(row) {
                *a += sc * f32::from(v);
            }
        }
        let norm = sum
            .iter()
            .map(|&v| f64::from(v).powi(2))
            .sum::<f64>()
            .sqrt();
        if norm > 0.0 {
            for (o, &v) in acc.iter_mut().zip(sum.iter()) {
                *o = f64::from(v) / norm;
            }
        }
    }
}

/// SHA-256 (hex) of a tokenizer's pieces in id order, each followed by a
/// newline: what ties a table's rows to the ids they are looked up by.
pub fn vocab_fingerprint(tokens: &super::Tokens) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for id in 0..tokens.vocab_size() as u32 {
        h.update(tokens.piece(id).as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

/// Names of a `dim`-wide embedding's head inputs.
pub fn names(dim: usize) -> impl Iterator<Item = String> {
    (0..dim).map(|i| format!("emb{i}"))
}

/// Whether a head input is an embedding value (named by [`names`]).
pub fn is_name(name: &str) -> bool {
    name.strip_prefix("emb")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A table for `tokens` whose rows are `row(piece)` (tests).
#[cfg(test)]
pub(crate) fn table_for(
    tokens: &super::Tokens,
    dim: usize,
    row: impl Fn(&str) -> Vec<i8>,
) -> Embedding {
    let n = tokens.vocab_size();
    let mut data = Vec::with_capacity(n * dim);
    for id in 0..n as u32 {
        let r = row(tokens.piece(id));
        assert_eq!(r.len(), dim);
        data.extend(r);
    }
    Embedding {
        dim,
        source: "test".into(),
        vocab_sha256: vocab_fingerprint(tokens),
        scale: vec![1.0 / 64.0; n],
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Embedding {
        Embedding {
            dim: 2,
            source: "test".into(),
            vocab_sha256: "x".into(),
            scale: vec![1.0, 0.5, 2.0],
            data: vec![3, 4, -2, 0, 0, 1],
        }
    }

    #[test]
    fn a_text_vector_is_the_normalised_sum_of_its_rows() {
        let t = table();
        let mut out = vec![9.0];
        t.text_vector(&[0, 1], &mut out);
        // (3, 4) + (-1, 0) = (2, 4), norm √20.
        let n = 20f64.sqrt();
        assert_eq!(out.len(), 3);
        assert!((out[1] - 2.0 / n).abs() < 1e-9 && (out[2] - 4.0 / n).abs() < 1e-9);
        let mut none = Vec::new();
        t.text_vector(&[], &mut none);
        assert_eq!(none, vec![0.0, 0.0]);
        // An id outside the table counts as nothing.
        let mut out = Vec::new();
        t.text_vector(&[2, 99], &mut out);
        assert_eq!(out, vec![0.0, 1.0]);
    }

    #[test]
    fn a_table_round_trips_and_damage_is_refused() {
        let t = table();
        let back = Embedding::from_file(t.to_file(true)).unwrap();
        assert_eq!(back, t);
        let mut f = t.to_file(true);
        f.rows = 4;
        assert!(Embedding::from_file(f).is_err());
        let mut f = t.to_file(true);
        f.data = "!!".into();
        assert!(Embedding::from_file(f).is_err());
        assert!(is_name("emb12") && !is_name("emb") && !is_name("len_log"));
    }
}
