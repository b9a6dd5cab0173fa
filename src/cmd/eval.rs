//! `threadlens eval`: a model's metrics on labeled CSV, as JSON on stdout.

use std::io::Write;
use std::process::ExitCode;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::train::{check_empty, evaluate, load};
use crate::cli::EvalArgs;
use threadlens::analyze::models::domain_files;
use threadlens::analyze::score::Domain;
use threadlens::classify::train::{self, Example};
use threadlens::classify::{embedded, metrics, Model};
use threadlens::output::Output;

/// The model `--attribute NAME` names: its file in `--models DIR`, else
/// the built-in one; with the name to report.
fn attribute_model(name: &str, dir: Option<&Path>) -> Result<(Model, String)> {
    let file = match name.to_ascii_uppercase().as_str() {
        "TOXICITY" | "INCIVILITY" => "incivility".to_string(),
        n => n.to_ascii_lowercase(),
    };
    if !embedded::ATTRIBUTES.contains(&file.as_str()) && file != "incivility" {
        bail!(
            "--attribute {name}: expected TOXICITY or one of {}",
            embedded::ATTRIBUTES.map(str::to_ascii_uppercase).join(", ")
        );
    }
    Ok(match dir {
        Some(d) => {
            let p = d.join(format!("{file}.json"));
            (Model::load(&p)?, p.display().to_string())
        }
        None => (embedded::load(&file)?, format!("built-in {file}")),
    })
}

/// The domain TOXICITY is scored with, as `score` loads it: the built-in
/// one, or the one whose files `dir` holds, when it was trained on
/// `model`'s columns.
fn domain_of(model: &Model, dir: Option<&Path>) -> Result<Option<Domain>> {
    let Some((name, [(gate, g), (expert, e)])) = domain_files(dir).into_iter().next() else {
        return Ok(None);
    };
    let load = |name: &str, file: Option<PathBuf>| match file {
        Some(p) => Model::load(&p),
        None => embedded::load_sharing(name, model),
    };
    Ok(Domain::of(name, load(gate, g)?, load(expert, e)?, model))
}

/// Binary metrics and probabilities of the pooled model with the domain's
/// expert taking the rows its gate recognises (`score`'s rule).
fn evaluate_with_domain(
    model: &Model,
    d: &Domain,
    ex: &[Example<'_>],
) -> (serde_json::Value, Vec<Vec<f64>>, usize) {
    let (pooled, g, e) = (
        train::predict(model, ex),
        train::predict(&d.gate, ex),
        train::predict(&d.expert, ex),
    );
    let mut routed = 0;
    let probs: Vec<Vec<f64>> = pooled
        .into_iter()
        .zip(g.iter().zip(e))
        .zip(ex)
        .map(|((p, (g, e)), x)| match d.takes(x.text, || g[1]) {
            true => {
                routed += 1;
                e
            }
            false => p,
        })
        .collect();
    let y: Vec<bool> = ex.iter().map(|e| e.class == 1).collect();
    let p: Vec<f64> = probs.iter().map(|p| p[1]).collect();
    let m = serde_json::to_value(metrics::binary(&y, &p, model.threshold)).expect("serialisable");
    (m, probs, routed)
}

pub fn run(a: &EvalArgs, quiet: bool) -> Result<ExitCode> {
    let (model, model_name) = match (&a.model, &a.attribute) {
        (Some(p), _) => (Model::load(p)?, p.display().to_string()),
        (None, Some(name)) => attribute_model(name, a.models.as_deref())?,
        (None, None) => bail!("eval needs -m MODEL or --attribute NAME"),
    };
    // TOXICITY as `score` gives it: with the domain's expert.
    let toxicity = a
        .attribute
        .as_deref()
        .is_some_and(|n| matches!(n.to_ascii_uppercase().as_str(), "TOXICITY" | "INCIVILITY"));
    let domain = match toxicity && !a.no_domains {
        true => domain_of(&model, a.models.as_deref())?,
        false => None,
    };
    let l = load(&a.data, model.task, &a.labeled)?;
    check_empty(&l, a.labeled.strict, quiet, "scored as empty comments")?;
    let ex = l.examples();
    let t0 = std::time::Instant::now();
    let (metrics, probs, routed) = match &domain {
        Some(d) => {
            let (m, p, r) = evaluate_with_domain(&model, d, &ex);
            (m, p, Some(r))
        }
        None => {
            let (m, p) = evaluate(&model, &ex);
            (m, p, None)
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    if let Some(path) = &a.predictions {
        let mut out = Output::create(Some(path))?;
        for ((r, &c), p) in l.rows.iter().zip(&l.classes).zip(&probs) {
            let mut v = serde_json::json!({
                "id": r.id,
                "line": r.line,
                "label": model.labels[c as usize],
                "probabilities": model.labels.iter().zip(p).map(|(k, v)| (k.clone(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
            });
            if model.router.is_some() {
                let d: serde_json::Map<_, _> = model
                    .domains(&r.text, &r.parent)
                    .into_iter()
                    .map(|(k, p)| (k, serde_json::Value::from(p)))
                    .collect();
                v["sources"] = d.into();
            }
            serde_json::to_writer(&mut out, &v)?;
            out.write_all(b"\n")?;
        }
        out.finish()?;
    }
    let mut v = serde_json::json!({
        "task": model.task.to_string(),
        "model": model_name,
        "model_sha256": model.hash,
        "data": a.data.display().to_string(),
        "seconds": secs,
        "comments_per_s": ex.len() as f64 / secs.max(1e-9),
    });
    if let (Some(r), Some(d)) = (routed, &domain) {
        let [(gate, gate_sha256), (expert, expert_sha256)] = d.hashes();
        v["domain"] = serde_json::json!({
            "name": d.name,
            "rows": r,
            "gate_at": d.at,
            "gate_min_words": d.min_words,
            "gate_sha256": gate_sha256,
            "expert_sha256": expert_sha256,
            "models": [gate, expert],
        });
    }
    if let (Some(obj), serde_json::Value::Object(m)) = (v.as_object_mut(), metrics) {
        obj.extend(m);
    }
    writeln!(std::io::stdout(), "{v}")?;
    Ok(ExitCode::SUCCESS)
}
