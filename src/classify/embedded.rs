//! The default models, compiled into the binary (zstd-compressed by
//! `build.rs` from `models/*.json`), so the binary alone works from any
//! folder. A folder given with `--models` or `THREADLENS_MODELS` overrides
//! them.

use super::artifact::ArtifactError;
use super::Model;

/// Names of the embedded models.
pub const NAMES: [&str; 7] = [
    "incivility",
    "stance",
    "insult",
    "identity_attack",
    "profanity",
    "github_gate",
    "github_toxicity",
];

/// The attribute heads among them (file names; the attribute is the name
/// in upper case: `INSULT`).
pub const ATTRIBUTES: [&str; 3] = ["insult", "identity_attack", "profanity"];

/// Domains whose comments the incivility score takes from a model of
/// their own (`analyze::score::Domain`): name, gate model, expert model.
pub const DOMAINS: [(&str, &str, &str); 1] = [("github", "github_gate", "github_toxicity")];

/// `incivility …, stance …`: the embedded models' short content hashes.
pub const SUMMARY: &str = env!("THREADLENS_EMBEDDED_MODELS");

const INCIVILITY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/incivility.json.zst"));
const STANCE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stance.json.zst"));
const INSULT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/insult.json.zst"));
const IDENTITY_ATTACK: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/identity_attack.json.zst"));
const PROFANITY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/profanity.json.zst"));
const GITHUB_GATE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/github_gate.json.zst"));
const GITHUB_TOXICITY: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/github_toxicity.json.zst"));

/// Largest decompressed model accepted (the same bound as a model file).
const MAX_BYTES: usize = 1 << 30;

/// The compressed bytes of an embedded model.
fn packed(name: &str) -> Option<&'static [u8]> {
    match name {
        "incivility" => Some(INCIVILITY),
        "stance" => Some(STANCE),
        "insult" => Some(INSULT),
        "identity_attack" => Some(IDENTITY_ATTACK),
        "profanity" => Some(PROFANITY),
        "github_gate" => Some(GITHUB_GATE),
        "github_toxicity" => Some(GITHUB_TOXICITY),
        _ => None,
    }
}

/// Load the embedded model `name` (one of [`NAMES`]).
pub fn load(name: &str) -> Result<Model, ArtifactError> {
    let label = format!("embedded {name} model");
    let bad = |msg: String| ArtifactError::Invalid {
        file: label.clone(),
        msg,
    };
    let packed = packed(name).ok_or_else(|| bad("no such embedded model".into()))?;
    let mut bytes = Vec::new();
    let mut dec = zstd::stream::read::Decoder::new(packed).map_err(|e| bad(e.to_string()))?;
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut dec, MAX_BYTES as u64 + 1),
        &mut bytes,
    )
    .map_err(|e| bad(e.to_string()))?;
    if bytes.len() > MAX_BYTES {
        return Err(bad(format!("larger than {MAX_BYTES} bytes")));
    }
    Model::from_json(&bytes, &label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_models_load_and_match_the_files_they_were_built_from() {
        for name in NAMES {
            let m = load(name).unwrap();
            let file = Model::load(std::path::Path::new(&format!("models/{name}.json"))).unwrap();
            assert_eq!(m.hash, file.hash, "{name}");
            assert!(SUMMARY.contains(&format!("{name} {}", &m.hash[..16])));
        }
        assert!(load("nope").is_err());
    }
}
