//! `threadlens models`: which models a run would use. Lists the models built
//! into the binary and, with `--models DIR` (or `THREADLENS_MODELS`), the
//! folder's: name, content hash, task, training data and held-out metrics.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ModelsArgs;
use threadlens::classify::{embedded, Model};
use threadlens::features::lexicon::LexiconRef;

/// One listed model, as printed.
fn describe(origin: &str, name: &str, m: &Model) -> serde_json::Value {
    let data: Vec<serde_json::Value> = m
        .training
        .data
        .iter()
        .map(|d| {
            let file = Path::new(&d.file);
            // `<task>/train.csv` names its task by the folder.
            let short = match (file.file_stem(), file.parent().and_then(|p| p.file_name())) {
                (Some(s), Some(dir)) if s == "train" => dir.to_string_lossy().to_string(),
                _ => file
                    .file_name()
                    .map_or(d.file.clone(), |f| f.to_string_lossy().to_string()),
            };
            serde_json::json!({ "source": short, "rows": d.rows, "sha256": d.sha256 })
        })
        .collect();
    serde_json::json!({
        "name": name,
        "origin": origin,
        "task": m.task.to_string(),
        "labels": m.labels,
        "sha256": m.hash,
        "threshold": m.threshold,
        "trained_on": data,
        "embeddings": m.featurizer.embedding.as_ref().map(|e| {
            serde_json::json!({ "source": e.source, "dim": e.dim })
        }),
        "lexicon": m.featurizer.lexicon.then(LexiconRef::builtin),
        "sentiment": m.featurizer.sentiment.then(threadlens::features::sentiment::reference),
        // The word lists' fingerprint, as the model records it.
        "fold_spelling": m.featurizer.config.normalize.fold_spelling.map(|f| format!("{f:08x}")),
        // Every group name followed by the word all of them share.
        "group_word": m.featurizer.config.normalize.group_word,
        // Words per window of the dense cues (null: the whole text).
        "cue_window": m.featurizer.config.cue_window,
        // Negated negative words left out of the sentiment inputs.
        "sentiment_negation": m.featurizer.config.sentiment_negation,
        // The sentiment list's positive side read too.
        "sentiment_positive": m.featurizer.config.sentiment_positive,
        "metrics": m.training.metrics,
        "created_by": m.training.created_by,
    })
}

pub fn run(a: &ModelsArgs) -> Result<ExitCode> {
    // Written, not printed: a closed pipe (`threadlens models | head`) is
    // an error the caller ends quietly on, where `println!` would panic.
    let mut out = std::io::stdout().lock();
    let mut rows = Vec::new();
    let base = embedded::load(embedded::BASE)?;
    for name in embedded::NAMES {
        let m = match name == embedded::BASE {
            true => None,
            false => Some(embedded::load_sharing(name, &base)?),
        };
        rows.push(describe("built-in", name, m.as_ref().unwrap_or(&base)));
    }
    if let Some(dir) = &a.models {
        for name in embedded::NAMES {
            let p = dir.join(format!("{name}.json"));
            if p.exists() {
                let m = Model::load(&p)?;
                rows.push(describe(&p.display().to_string(), name, &m));
            }
        }
    }
    let selected = match &a.models {
        Some(d) => format!(
            "{} (--models / THREADLENS_MODELS; built-in where the folder has none)",
            d.display()
        ),
        None => "built-in".to_string(),
    };
    if a.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({ "selected": selected, "models": rows })
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "selected: {selected}")?;
    for r in &rows {
        let sources: Vec<String> = r["trained_on"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{} ({} rows)",
                    d["source"].as_str().unwrap_or("?"),
                    d["rows"]
                )
            })
            .collect();
        writeln!(
            out,
            "{:<10} {:<9} {}  {}\n           trained on: {}",
            r["name"].as_str().unwrap_or(""),
            r["task"].as_str().unwrap_or(""),
            &r["sha256"].as_str().unwrap_or("")[..16.min(r["sha256"].as_str().unwrap_or("").len())],
            r["origin"].as_str().unwrap_or(""),
            if sources.is_empty() {
                "(not recorded)".into()
            } else {
                sources.join(", ")
            }
        )?;
        if let Some(e) = r["embeddings"].as_object() {
            writeln!(
                out,
                "           embeddings: {} values a text ({})",
                e["dim"],
                e["source"].as_str().unwrap_or("")
            )?;
        }
        for list in ["lexicon", "sentiment"] {
            if let Some(l) = r[list].as_object() {
                writeln!(
                    out,
                    "           {list}: {}",
                    l["source"].as_str().unwrap_or("")
                )?;
            }
        }
        if let Some(f) = r["fold_spelling"].as_str() {
            writeln!(out,
                "           spelling: spaced-out letters joined, group names misspelled by one letter read as the name (word lists {f})"
            )?;
        }
        if r["group_word"].as_bool() == Some(true) {
            writeln!(out,
                "           groups: every group name (muslims, women, gay ...) also read as one shared word, {} in explanations",
                threadlens::features::groups::SHOWN
            )?;
        }
        if let Some(w) = r["cue_window"].as_u64() {
            writeln!(out,
                "           cues: a text over {w} words read per window of {w} (counts as rates, strongest ratings averaged)"
            )?;
        }
        if r["sentiment_negation"].as_bool() == Some(true) && !r["sentiment"].is_null() {
            writeln!(out,
                "           sentiment: a negative word within three words after a negation (not, never, n't) is not read as negative"
            )?;
        }
        if r["sentiment_positive"].as_bool() == Some(true) && !r["sentiment"].is_null() {
            writeln!(out,
                "           sentiment: the positive side too (the strongest positive word, the share of words rated +2 or more)"
            )?;
        }
    }
    writeln!(
        out,
        "details and metrics: threadlens models --json; how each was trained: models/MODEL_CARD.md"
    )?;
    Ok(ExitCode::SUCCESS)
}
