//! A model file's content hash read from its bytes ([`written_digest`]).
//! `build.rs` includes this file by path, so the build (which embeds the
//! default models) and the loader check a file the same way.

use sha2::{Digest, Sha256};

/// The content hash of a file as threadlens writes it, from its bytes: the
/// file is the serialised content with its hash as the last field and a
/// newline, so blanking the hash (and dropping the newline) gives back the
/// very bytes that were hashed. `None` when `stored` is not where the
/// writer puts it. A file whose bytes hash to `stored` this way holds
/// exactly the content that was sealed, so serialising the parsed content
/// again (the slow part of loading a model) would give the same; any other
/// file (edited, re-indented, damaged) must be checked by its content.
pub fn written_digest(bytes: &[u8], stored: &str) -> Option<String> {
    let tail = format!("\"content_sha256\":\"{stored}\"}}");
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let head = body.strip_suffix(tail.as_bytes())?;
    let mut h = Sha256::new();
    h.update(head);
    h.update(b"\"content_sha256\":\"\"}");
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
