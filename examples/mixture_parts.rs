//! Dump a mixture model's parts for each row of labeled CSVs: router
//! posteriors and every expert's P(positive), one JSON line per row, to
//! study how experts should be combined.
//!
//! `cargo run --release --example mixture_parts -- MODEL CSV...`

use threadlens::classify::{Model, ScoreScratch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = Model::load(std::path::Path::new(&args[0]))?;
    let singles: Vec<Model> = model
        .experts
        .iter()
        .map(|e| Model {
            experts: vec![e.clone()],
            router: None,
            fused: Default::default(),
            ..model.clone()
        })
        .collect();
    let mut s = ScoreScratch::default();
    for path in &args[1..] {
        let mut rdr = csv::Reader::from_path(path)?;
        let h = rdr.headers()?.clone();
        let ti = h.iter().position(|c| c == "text").ok_or("no text")?;
        let li = h.iter().position(|c| c == "label").ok_or("no label")?;
        for r in rdr.records() {
            let r = r?;
            let text = &r[ti];
            let route: Vec<f64> = model.domains(text, "").iter().map(|d| d.1).collect();
            let p: Vec<f64> = singles
                .iter()
                .map(|m| m.score(text, "", &mut s)[1])
                .collect();
            println!(
                "{}",
                serde_json::json!({"file": path, "label": &r[li], "route": route, "p": p})
            );
        }
    }
    Ok(())
}
