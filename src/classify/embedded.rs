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

/// The embedded model whose vocabulary, idf, tokenizer and embedding the
/// others trained on its columns share (`build.rs` stores those without
/// them).
pub const BASE: &str = "incivility";

/// The embedded models stored without the parts they share with [`BASE`].
const SHARING: &str = env!("THREADLENS_EMBEDDED_SHARING");

/// [`BASE`]'s content hash.
const BASE_HASH: &str = env!("THREADLENS_EMBEDDED_BASE");

/// Whether `m` is the embedded [`BASE`] model (the one the sharing models
/// can be loaded on, [`load_sharing`]).
pub fn is_base(m: &Model) -> bool {
    !BASE_HASH.is_empty() && m.hash == BASE_HASH
}

/// Whether the embedded model `name` is stored without the parts it shares
/// with [`BASE`].
fn shares(name: &str) -> bool {
    SHARING.split(',').any(|n| n == name)
}

/// Load the embedded model `name` (one of [`NAMES`]); one that shares
/// parts with [`BASE`] loads that too ([`load_sharing`] reuses a loaded
/// one).
pub fn load(name: &str) -> Result<Model, ArtifactError> {
    if shares(name) {
        let base = load(BASE)?;
        return load_sharing(name, &base);
    }
    Model::from_json(&unpacked(name)?, &label(name))
}

/// Load the embedded model `name`, taking the vocabulary, idf, tokenizer
/// and embedding it shares with [`BASE`] from `base` when that is the
/// embedded [`BASE`] model ([`is_base`]): a fraction of the time and
/// memory of [`load`], with the same model.
pub fn load_sharing(name: &str, base: &Model) -> Result<Model, ArtifactError> {
    match shares(name) && is_base(base) {
        true => Model::from_json_sharing(&unpacked(name)?, &label(name), base),
        false => load(name),
    }
}

fn label(name: &str) -> String {
    format!("embedded {name} model")
}

/// The JSON bytes of an embedded model.
fn unpacked(name: &str) -> Result<Vec<u8>, ArtifactError> {
    let bad = |msg: String| ArtifactError::Invalid {
        file: label(name),
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
    Ok(bytes)
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
            assert!(m.fusable() && m.fused().is_some(), "{name}");
        }
        assert!(load("nope").is_err());
    }

    #[test]
    fn models_on_the_incivility_models_columns_are_embedded_without_them_and_load_the_same() {
        let base = load(BASE).unwrap();
        assert!(is_base(&base));
        let mut s = super::super::ScoreScratch::default();
        let texts = [
            "You are all idiots and should be banned",
            "Thanks, that fixed it.",
            "",
        ];
        for name in NAMES.into_iter().filter(|&n| n != BASE) {
            let file = Model::load(std::path::Path::new(&format!("models/{name}.json"))).unwrap();
            // Every model trained on the base's columns is stored sharing
            // them (else build.rs silently embedded it whole).
            assert_eq!(
                shares(name),
                file.vocab_of_hash() == Some(BASE_HASH),
                "{name}"
            );
            if !shares(name) {
                continue;
            }
            for m in [load_sharing(name, &base).unwrap(), load(name).unwrap()] {
                assert_eq!(m.hash, file.hash, "{name}");
                assert_eq!(m.vocab.index, file.vocab.index);
                assert_eq!(m.vocab.idf, file.vocab.idf);
                assert_eq!(m.featurizer.config, file.featurizer.config);
                assert_eq!(m.featurizer.lexicon, file.featurizer.lexicon);
                assert_eq!(m.featurizer.sentiment, file.featurizer.sentiment);
                assert_eq!(
                    m.featurizer.tokens.to_json(),
                    file.featurizer.tokens.to_json()
                );
                assert_eq!(m.featurizer.embedding, file.featurizer.embedding);
                assert_eq!(
                    (m.threshold, &m.labels, m.sides),
                    (file.threshold, &file.labels, file.sides)
                );
                assert_eq!(m.experts.len(), file.experts.len());
                for (a, b) in m.experts.iter().zip(&file.experts) {
                    assert_eq!((&a.sparse, &a.head), (&b.sparse, &b.head));
                }
                for t in texts {
                    assert_eq!(
                        m.score(t, "", &mut s),
                        file.score(t, "", &mut s),
                        "{name}: {t}"
                    );
                }
            }
        }
        // On another model than the base, a sharing model loads its own.
        let stance = load("stance").unwrap();
        assert_eq!(
            load_sharing("insult", &stance).unwrap().hash,
            load("insult").unwrap().hash
        );
    }

    #[test]
    fn a_model_file_that_leaves_out_its_vocabulary_is_refused() {
        let packed = unpacked("insult").unwrap();
        let e = Model::from_json(&packed, "x.json").unwrap_err().to_string();
        assert!(e.contains("leaves out the vocabulary"), "{e}");
        let stance = load("stance").unwrap();
        let e = Model::from_json_sharing(&packed, "x.json", &stance)
            .unwrap_err()
            .to_string();
        assert!(e.contains("leaves out the vocabulary"), "{e}");
    }
}
