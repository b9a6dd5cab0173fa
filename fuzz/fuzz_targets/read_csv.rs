//! CSV and TSV: no more records than the rows the csv crate reads; the
//! trees account for every record.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let name = if pick % 2 == 0 { "t.csv" } else { "t.tsv" };
    let r = common::read(name, body, Format::Csv);
    // Rows the csv crate sees (quotes may span lines) cannot be fewer than
    // the records read.
    let delim = if name.ends_with("tsv") { b'\t' } else { b',' };
    let rows = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(body)
        .byte_records()
        .count() as u64;
    assert!(r.records.len() as u64 <= rows.max(1) + 1, "{} records from {rows} rows", r.records.len());
    common::build_accounted(r);
});
