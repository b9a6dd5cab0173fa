//! Page captures: no panic; at least the root is read or rejected when the
//! page has text; the trees account for every record.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

fuzz_target!(|data: &[u8]| {
    let r = common::read("page.txt", data, Format::Pages);
    let has_text = std::str::from_utf8(data).map_or(true, |t| !t.trim().is_empty());
    if has_text && data.len() <= common::MAX_DOCUMENT {
        assert!(common::accounted(&r) >= 1 || !r.diags.items().is_empty(), "a page with text is read or rejected");
    }
    // Every comment line the reader saw as an item: numbered items are
    // records (or rejected) — the count of records never exceeds the lines.
    let lines = data.split(|&b| b == b'\n').count() as u64;
    assert!(r.records.len() as u64 <= lines);
    common::build_accounted(r);
});
