//! Compressed inputs (gzip and zstd framing, found by their magic bytes):
//! a damaged stream is a diagnostic, never a panic or a silent success;
//! what decodes is read as JSON lines with every line accounted for.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    // Half the time the fuzzer's bytes are the stream itself; otherwise they
    // are the content of a valid stream cut at a point the first byte picks.
    let stream: Vec<u8> = if pick & 1 == 0 {
        body.to_vec()
    } else {
        let mut z = if pick & 2 == 0 {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, body).unwrap();
            e.finish().unwrap()
        } else {
            zstd::encode_all(body, 1).unwrap()
        };
        let cut = (pick as usize >> 2) * z.len() / 64;
        if cut > 0 && cut < z.len() {
            z.truncate(cut);
        }
        z
    };
    let r = common::read("dump.jsonl", &stream, Format::Jsonl);
    if pick & 1 == 1 && stream.len() < 4 {
        return;
    }
    common::build_accounted(r);
});
