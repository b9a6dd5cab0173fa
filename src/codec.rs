//! Text encodings of binary data in the files threadlens writes: lower-case
//! hex for digests, and little-endian number arrays in base64 for the
//! model files and embedding tables (used by `classify::artifact` and by
//! the feature tables in `features`).

/// Lower-case hex of bytes (digests).
pub(crate) fn hex(h: &[u8]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// Little-endian arrays in base64 (model files, embedding tables).
pub(crate) mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn encode<T: Copy, const N: usize>(xs: &[T], to: fn(T) -> [u8; N]) -> String {
        let mut bytes = Vec::with_capacity(xs.len() * N);
        for &x in xs {
            bytes.extend_from_slice(&to(x));
        }
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    pub fn decode<T, const N: usize>(s: &str, from: fn([u8; N]) -> T) -> Result<Vec<T>, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| format!("bad base64: {e}"))?;
        if bytes.len() % N != 0 {
            return Err(format!(
                "array of {} bytes is not a multiple of {N}",
                bytes.len()
            ));
        }
        Ok(bytes
            .chunks_exact(N)
            .map(|c| from(c.try_into().expect("chunk of N")))
            .collect())
    }

    pub mod f32s {
        use super::*;
        pub fn serialize<S: Serializer>(xs: &[f32], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&encode(xs, f32::to_le_bytes))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
            let s = String::deserialize(d)?;
            decode(&s, f32::from_le_bytes).map_err(serde::de::Error::custom)
        }
    }

    pub mod u32s {
        use super::*;
        pub fn serialize<S: Serializer>(xs: &[u32], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&encode(xs, u32::to_le_bytes))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
            let s = String::deserialize(d)?;
            decode(&s, u32::from_le_bytes).map_err(serde::de::Error::custom)
        }
    }
}
