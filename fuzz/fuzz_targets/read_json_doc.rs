//! One JSON document per file (arrays, listings, IAC discussions): each
//! item of a top-level array is a record or a diagnostic; the trees
//! account for every record.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let format = if pick % 2 == 0 { Format::Auto } else { Format::Iac };
    let r = common::read("doc.json", body, format);
    if format == Format::Auto && body.len() <= common::MAX_DOCUMENT {
        if let Ok(serde_json::Value::Array(items)) = serde_json::from_slice(body) {
            let covered = common::accounted(&r) + r.diags.items().len() as u64;
            assert!(
                covered >= items.len() as u64,
                "{} items, {} records, diagnostics {:?}",
                items.len(),
                r.records.len(),
                r.diags.items()
            );
        }
    }
    common::build_accounted(r);
});
