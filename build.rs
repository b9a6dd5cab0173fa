//! Embeds the default models (`models/incivility.json`, `models/stance.json`,
//! the attribute heads `insult`, `identity_attack`, `profanity`, and the
//! GitHub domain's gate and expert)
//! in the binary, zstd-compressed, so a copied or `cargo install`ed binary
//! scores from any folder. Their content hashes go into `--version`.
//!
//! A model whose vocabulary, idf, tokenizer and embedding are byte for byte
//! the incivility model's (`train --vocab-of models/incivility.json`) is
//! embedded without them: those four fields are emptied and `shares` names
//! the incivility model's content hash, and `classify::embedded` fills them
//! from the incivility model at load time. This is only done for a file
//! whose bytes are as threadlens wrote them (its stored content hash checks
//! from the bytes), so the hash the binary reports is the file's; any
//! other file is embedded whole and checked in full at load time.

use std::path::Path;

use serde_json::{Map, Value};

#[path = "src/classify/written.rs"]
mod written;
use written::written_digest;

const MODELS: [&str; 7] = [
    "incivility",
    "stance",
    "insult",
    "identity_attack",
    "profanity",
    "github_gate",
    "github_toxicity",
];

/// The model the others may share parts with, and those parts.
const BASE: &str = "incivility";
const SHARED: [&str; 4] = ["vocab_index", "vocab_idf", "tokenizer", "embedding"];

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut version = Vec::new();
    let mut base: Option<(String, Map<String, Value>)> = None;
    let mut sharing = Vec::new();
    for name in MODELS {
        let src = Path::new("models").join(format!("{name}.json"));
        println!("cargo:rerun-if-changed={}", src.display());
        let bytes = std::fs::read(&src)
            .unwrap_or_else(|e| panic!("{}: {e} (the default models are embedded)", src.display()));
        let hash = content_hash(&bytes).unwrap_or_else(|| "unknown".into());
        version.push(format!("{name} {}", &hash[..hash.len().min(16)]));
        let as_written = written_digest(&bytes, &hash).is_some_and(|h| h == hash);
        let fields: Option<Map<String, Value>> = as_written
            .then(|| serde_json::from_slice(&bytes).ok())
            .flatten();
        let mut embedded = None;
        if let Some(mut fields) = fields {
            if name == BASE {
                base = Some((hash.clone(), fields));
            } else if let Some((base_hash, base_fields)) = &base {
                if SHARED.iter().all(|k| fields.get(*k) == base_fields.get(*k)) {
                    // Emptied (the embedding, optional, left out).
                    for k in SHARED {
                        match k {
                            "embedding" => fields.remove(k),
                            _ => fields.insert(k.into(), Value::String(String::new())),
                        };
                    }
                    fields.insert("shares".into(), Value::String(base_hash.clone()));
                    embedded = Some(serde_json::to_vec(&fields).expect("serialisable"));
                    sharing.push(name);
                }
            }
        }
        let packed = zstd::encode_all(embedded.as_deref().unwrap_or(&bytes[..]), 19)
            .expect("zstd in memory");
        std::fs::write(Path::new(&out).join(format!("{name}.json.zst")), packed)
            .expect("write to OUT_DIR");
    }
    println!(
        "cargo:rustc-env=THREADLENS_EMBEDDED_MODELS={}",
        version.join(", ")
    );
    println!(
        "cargo:rustc-env=THREADLENS_EMBEDDED_SHARING={}",
        sharing.join(",")
    );
    let base_hash = base.map(|(h, _)| h).unwrap_or_default();
    println!("cargo:rustc-env=THREADLENS_EMBEDDED_BASE={base_hash}");
}

/// The `content_sha256` field, found without parsing the whole file (it is
/// the last field the writer puts out).
fn content_hash(bytes: &[u8]) -> Option<String> {
    let key = b"\"content_sha256\":\"";
    let at = bytes.windows(key.len()).rposition(|w| w == key)? + key.len();
    let end = bytes[at..].iter().position(|&b| b == b'"')? + at;
    String::from_utf8(bytes[at..end].to_vec()).ok()
}
