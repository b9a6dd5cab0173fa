//! Which texts of labeled CSV files the spelling folds
//! ([`threadlens::features::spelling`]) change, with the shipped
//! tokenizer as the known-word guard: one line per changed text (file and
//! the first words that differ), and the count on stderr. What the model
//! card's "Spelling folds" counts on the train splits.
//!
//! `cargo run --release --example fold_count -- FILE.csv...`

use threadlens::features::normalize::normalized;
use threadlens::features::spelling::Spelling;
use threadlens::features::{NormalizeConfig, Tokens};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tok = Tokens::from_json(&std::fs::read_to_string("models/tokenizer.json")?)?;
    let spelling = Spelling::builtin();
    let mut tmp = String::new();
    let (mut n, mut changed) = (0, 0);
    for path in std::env::args().skip(1) {
        let mut rd = csv::Reader::from_path(&path)?;
        let text = rd
            .headers()?
            .iter()
            .position(|c| c == "text")
            .ok_or_else(|| format!("{path}: no text column"))?;
        for r in rd.records() {
            let r = r?;
            n += 1;
            let before = normalized(&r[text], NormalizeConfig::default());
            let mut after = before.clone();
            spelling.fold(&mut after, &mut tmp, |w| tok.is_whole_token(w));
            if after != before {
                changed += 1;
                let first: Vec<_> = before
                    .split(' ')
                    .zip(after.split(' '))
                    .filter(|(a, b)| a != b)
                    .take(3)
                    .collect();
                println!("{path}: {first:?}");
            }
        }
    }
    eprintln!("{changed} of {n} texts changed");
    Ok(())
}
