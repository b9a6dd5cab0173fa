//! WordPress exports: every `<wp:comment>` element an XML parser finds
//! before the first error is a record or counted in a diagnostic; the
//! trees account for every record.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use threadlens::ingest::Format;

/// `<wp:comment>` elements an XML parser sees before the document's first
/// error (or in all of it): each is certainly a comment of the export.
fn comment_elements(b: &[u8]) -> u64 {
    let mut r = quick_xml::Reader::from_reader(b);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        match r.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(s)) if s.name().as_ref() == b"wp:comment" => n += 1,
            Ok(quick_xml::events::Event::Eof) | Err(_) => return n,
            Ok(_) => {}
        }
        buf.clear();
    }
}

fuzz_target!(|data: &[u8]| {
    let r = common::read("export.xml", data, Format::Wxr);
    if data.len() <= common::MAX_DOCUMENT {
        let tags = comment_elements(data);
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
