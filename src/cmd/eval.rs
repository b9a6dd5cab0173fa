//! `threadlens eval`: a model's metrics on labeled CSV, as JSON on stdout.

use std::io::Write;
use std::process::ExitCode;

use std::path::Path;

use anyhow::{bail, Result};

use super::train::{check_empty, evaluate, load};
use crate::cli::EvalArgs;
use threadlens::classify::{embedded, Model};
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

pub fn run(a: &EvalArgs, quiet: bool) -> Result<ExitCode> {
    let (model, model_name) = match (&a.model, &a.attribute) {
        (Some(p), _) => (Model::load(p)?, p.display().to_string()),
        (None, Some(name)) => attribute_model(name, a.models.as_deref())?,
        (None, None) => bail!("eval needs -m MODEL or --attribute NAME"),
    };
    let l = load(&a.data, model.task, &a.labeled)?;
    check_empty(&l, a.labeled.strict, quiet, "scored as empty comments")?;
    let ex = l.examples();
    let t0 = std::time::Instant::now();
    let (metrics, probs) = evaluate(&model, &ex);
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
    if let (Some(obj), serde_json::Value::Object(m)) = (v.as_object_mut(), metrics) {
        obj.extend(m);
    }
    println!("{v}");
    Ok(ExitCode::SUCCESS)
}
