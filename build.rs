//! Embeds the default models (`models/incivility.json`, `models/stance.json`,
//! the attribute heads `insult`, `identity_attack`, `profanity`, and the
//! GitHub domain's gate and expert)
//! in the binary, zstd-compressed, so a copied or `cargo install`ed binary
//! scores from any folder. Their content hashes go into `--version`.

use std::path::Path;

const MODELS: [&str; 7] = [
    "incivility",
    "stance",
    "insult",
    "identity_attack",
    "profanity",
    "github_gate",
    "github_toxicity",
];

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut version = Vec::new();
    for name in MODELS {
        let src = Path::new("models").join(format!("{name}.json"));
        println!("cargo:rerun-if-changed={}", src.display());
        let bytes = std::fs::read(&src)
            .unwrap_or_else(|e| panic!("{}: {e} (the default models are embedded)", src.display()));
        let packed = zstd::encode_all(&bytes[..], 19).expect("zstd in memory");
        std::fs::write(Path::new(&out).join(format!("{name}.json.zst")), packed)
            .expect("write to OUT_DIR");
        let hash = content_hash(&bytes).unwrap_or_else(|| "unknown".into());
        version.push(format!("{name} {}", &hash[..hash.len().min(16)]));
    }
    println!(
        "cargo:rustc-env=THREADLENS_EMBEDDED_MODELS={}",
        version.join(", ")
    );
}

/// The `content_sha256` field, found without parsing the whole file (it is
/// the last field the writer puts out).
fn content_hash(bytes: &[u8]) -> Option<String> {
    let key = b"\"content_sha256\":\"";
    let at = bytes.windows(key.len()).rposition(|w| w == key)? + key.len();
    let end = bytes[at..].iter().position(|&b| b == b'"')? + at;
    String::from_utf8(bytes[at..end].to_vec()).ok()
}
