//! WordPress exports: every `<wp:comment>` start tag (outside CDATA,
//! comments and processing instructions) is a
//! record or counted in a diagnostic; the trees account for every record.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

/// `<wp:comment>` start tags outside CDATA sections, XML comments and
/// processing instructions.
fn comment_tags(b: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"<![CDATA[") {
            match memchr::memmem::find(rest, b"]]>") {
                Some(e) => i += e + 3,
                None => break,
            }
        } else if rest.starts_with(b"<!--") {
            match memchr::memmem::find(rest, b"-->") {
                Some(e) => i += e + 3,
                None => break,
            }
        } else if rest.starts_with(b"<?") {
            match memchr::memmem::find(rest, b"?>") {
                Some(e) => i += e + 2,
                None => break,
            }
        } else if rest.starts_with(b"<wp:comment>") {
            n += 1;
            i += 12;
        } else {
            i += 1;
        }
    }
    n
}

fuzz_target!(|data: &[u8]| {
    let r = common::read("export.xml", data, Format::Wxr);
    if data.len() <= common::MAX_DOCUMENT {
        let tags = comment_tags(data);
        assert!(
            common::accounted(&r) >= tags,
            "{tags} <wp:comment> tags, {} records, {} rejected: {:?}",
            r.records.len(),
            r.diags.rejected(),
            r.diags.items()
        );
    }
    common::build_accounted(r);
});
