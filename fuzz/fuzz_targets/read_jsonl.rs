//! JSON lines in every dialect: every line that is not blank is a record
//! or a diagnostic; the trees account for every record.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

const FORMATS: [Format; 6] = [
    Format::Auto,
    Format::Jsonl,
    Format::Reddit,
    Format::Hn,
    Format::Convokit,
    Format::Twitter,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let format = FORMATS[pick as usize % FORMATS.len()];
    let r = common::read("dump.jsonl", body, format);
    common::every_line_accounted(body, &r);
    common::build_accounted(r);
});
