//! Loading a [`Scorer`]'s models: a file named on its own, else the one in
//! a models folder (`--models`, `THREADLENS_MODELS`), else the model built
//! into the binary. Shared by the command line and the Python package, so
//! both pick and check models the same way and say the same when one is
//! missing or damaged.

use std::path::{Path, PathBuf};

use super::score::{Domain, Explain, Scorer};
use super::AnalyzeError;
use crate::classify::artifact::ArtifactError;
use crate::classify::{embedded, CharReasons, Model};

/// Which models to load and how to score with them.
#[derive(Debug, Clone)]
pub struct ModelChoice {
    /// Folder holding `incivility.json`, `stance.json` and attribute heads.
    pub models: Option<PathBuf>,
    /// Incivility model file (over the folder's).
    pub incivility: Option<PathBuf>,
    /// Stance model file (over the folder's).
    pub stance: Option<PathBuf>,
    /// Score without a stance model.
    pub no_stance: bool,
    /// Score without the attribute heads.
    pub no_attributes: bool,
    /// Score every comment with the incivility model, none with a
    /// domain's expert ([`crate::analyze::score::Domain`]).
    pub no_domains: bool,
    /// Incivility threshold (default: the model's own).
    pub threshold: Option<f64>,
    /// Which comments get explanations.
    pub explain: Explain,
    /// Features listed per explanation.
    pub top: usize,
    /// How character n-grams are named in explanations.
    pub char_reasons: CharReasons,
}

impl Default for ModelChoice {
    fn default() -> Self {
        ModelChoice {
            models: None,
            incivility: None,
            stance: None,
            no_stance: false,
            no_attributes: false,
            no_domains: false,
            threshold: None,
            explain: Explain::Flagged,
            top: 5,
            char_reasons: CharReasons::Words,
        }
    }
}

/// A model that could not be loaded, or models that do not fit together.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// One model: `what` names its role (`incivility model`, ...).
    #[error("{what}")]
    Model {
        /// Its role, with a hint where one helps.
        what: String,
        /// Why.
        #[source]
        source: ArtifactError,
    },
    /// The models do not serve their roles.
    #[error(transparent)]
    Mismatch(#[from] AnalyzeError),
}

/// A model's file name (`github_gate`) and its file, if not the built-in.
pub type Named = (&'static str, Option<PathBuf>);

/// The domains to load, each with its gate's and expert's files: the
/// built-in ones (`models`: `None`), or those whose two files the models
/// folder has.
pub fn domain_files(models: Option<&Path>) -> Vec<(&'static str, [Named; 2])> {
    embedded::DOMAINS
        .iter()
        .filter_map(|&(name, gate, expert)| match models {
            Some(d) => {
                let (g, e) = (
                    d.join(format!("{gate}.json")),
                    d.join(format!("{expert}.json")),
                );
                (g.exists() && e.exists()).then_some((name, [(gate, Some(g)), (expert, Some(e))]))
            }
            None => Some((name, [(gate, None), (expert, None)])),
        })
        .collect()
}

/// Load the models `c` names, side by side (parsing, checking the content
/// hash and reading the tokenizer take ~0.05 s a model; a built-in model
/// that shares the incivility model's vocabulary takes a fraction of
/// that, read after it), into a scorer.
pub fn load_scorer(c: &ModelChoice) -> Result<Scorer, LoadError> {
    let pick = |own: &Option<PathBuf>, name: &str| -> Option<PathBuf> {
        own.clone()
            .or_else(|| c.models.as_ref().map(|d| d.join(format!("{name}.json"))))
    };
    // A built-in model that shares the built-in incivility model's
    // vocabulary is read on `base` when that is loaded.
    let load_on = |p: &Option<PathBuf>, name: &str, base: Option<&Model>| {
        match (p, base) {
            (Some(p), _) => Model::load(p),
            (None, Some(b)) => embedded::load_sharing(name, b),
            (None, None) => embedded::load(name),
        }
        .map(|mut m| {
            m.char_reasons = c.char_reasons;
            m
        })
    };
    let load = |p: &Option<PathBuf>, name: &str| load_on(p, name, None);
    let inc = pick(&c.incivility, "incivility");
    let stance_file = (!c.no_stance).then(|| pick(&c.stance, "stance"));
    // Attribute heads: the built-in ones, or those the models folder has.
    let heads: Vec<(&str, Option<PathBuf>)> = match c.no_attributes {
        true => Vec::new(),
        false => embedded::ATTRIBUTES
            .iter()
            .filter_map(|&name| match &c.models {
                Some(d) => {
                    let p = d.join(format!("{name}.json"));
                    p.exists().then_some((name, Some(p)))
                }
                None => Some((name, None)),
            })
            .collect(),
    };
    // Domains (none when an incivility model file is named); kept below
    // only when they were trained on the incivility model's columns.
    let domains = match c.no_domains || c.incivility.is_some() {
        true => Vec::new(),
        false => domain_files(c.models.as_deref()),
    };
    let join = |h: std::thread::ScopedJoinHandle<'_, _>| {
        h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    };
    let (incivility, stance, loaded, domain_models) = std::thread::scope(|sc| {
        let stance = stance_file
            .as_ref()
            .map(|p| sc.spawn(move || load(p, "stance")));
        let incivility = load(&inc, "incivility");
        // The built-in heads and domain models share the built-in
        // incivility model's vocabulary: read once, here (~0.05 s), and
        // not once by each (~0.05 s each, 0.2 s of CPU in all).
        let built_in = heads
            .iter()
            .chain(domains.iter().flat_map(|(_, pair)| pair));
        let own_base = match (&incivility, built_in.clone().any(|(_, p)| p.is_none())) {
            (Ok(m), true) if !embedded::is_base(m) => embedded::load(embedded::BASE).ok(),
            _ => None,
        };
        let base = own_base.as_ref().or(incivility.as_ref().ok());
        let mut models: Vec<Result<Model, _>> = std::thread::scope(|sc| {
            let running: Vec<_> = built_in
                .map(|(name, p)| sc.spawn(move || load_on(p, name, base)))
                .collect();
            running.into_iter().map(join).collect()
        });
        let domain_models = models.split_off(heads.len());
        (incivility, stance.map(join), models, domain_models)
    });
    let model = |what: &str| {
        let what = what.to_string();
        move |source| LoadError::Model { what, source }
    };
    let incivility = incivility.map_err(model("incivility model"))?;
    let stance = stance
        .transpose()
        .map_err(model("stance model (--no-stance to score without one)"))?;
    let mut attributes = Vec::new();
    for ((name, _), m) in heads.iter().zip(loaded) {
        let m = m.map_err(model(&format!("attribute model {name}")))?;
        attributes.push((name.to_uppercase(), m));
    }
    let mut scorer = Scorer::new(incivility, stance, c.threshold, c.explain, c.top)?
        .with_attributes(attributes)?;
    let mut domain_models = domain_models.into_iter();
    for (name, [(gate_file, _), (expert_file, _)]) in &domains {
        let (Some(gate), Some(expert)) = (domain_models.next(), domain_models.next()) else {
            break;
        };
        let why = |role: &str, file: &str| {
            model(&format!(
                "{name} domain's {role} ({file}; --no-domains to score without it)"
            ))
        };
        let gate = gate.map_err(why("gate", gate_file))?;
        let expert = expert.map_err(why("expert", expert_file))?;
        if let Some(domain) = Domain::of(name, gate, expert, scorer.incivility()) {
            scorer = scorer.with_domain(domain)?;
        }
    }
    Ok(scorer)
}
