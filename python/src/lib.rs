//! `threadlens._threadlens`: the Python package's native module. It hands
//! the library's own readers, tree builder, scorer and report builder to
//! Python as columns (lists), which `threadlens/__init__.py` turns into
//! pandas data frames. The GIL is released while reading, scoring and
//! writing; errors become `threadlens.ThreadlensError` (or
//! `FileNotFoundError` for a missing input) with the command line's message.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use threadlens::analyze::models::{load_scorer, ModelChoice};
use threadlens::analyze::render;
use threadlens::analyze::report::{Models as ReportModels, ReportBuilder, ReportOptions};
use threadlens::analyze::rows::attribute_names;
use threadlens::analyze::score::{Explain, Scored, Scorer};
use threadlens::classify::data::STANCE_LABELS;
use threadlens::classify::{Contribution, ScoreScratch};
use threadlens::diag::{DiagKind, Diagnostics, SourceLoc};
use threadlens::forest::{self, Flags, Forest, Kind, RawComment, Thread};
use threadlens::ingest::csv::{row_record, Cells};
use threadlens::ingest::{self, Format, Input, ReadOptions};
use threadlens::serve::perspective::score_one;

create_exception!(
    _threadlens,
    ThreadlensError,
    PyException,
    "An input, model or output threadlens cannot use; the message is the command line's."
);

/// `error: cause: cause`, as the command line prints it.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

fn err(e: &dyn std::error::Error) -> PyErr {
    ThreadlensError::new_err(chain(e))
}

fn explain_of(s: &str) -> PyResult<Explain> {
    Explain::from_name(s).ok_or_else(|| {
        PyValueError::new_err(format!("explain {s:?}: expected flagged, all or none"))
    })
}

/// `[(feature, weight), ...]`.
fn pairs(c: &[Contribution]) -> Vec<(String, f64)> {
    c.iter().map(|c| (c.feature.clone(), c.weight)).collect()
}

/// The score columns every frame of scores has, filled row by row.
#[derive(Default)]
struct ScoreColumns {
    incivility: Vec<Option<f64>>,
    uncivil: Vec<Option<bool>>,
    domain: Vec<Option<String>>,
    attributes: Vec<Vec<Option<f64>>>,
    stance: Vec<Option<&'static str>>,
    probs: [Vec<Option<f64>>; 4],
    reasons: Vec<Vec<(String, f64)>>,
    stance_reasons: Vec<Vec<(String, f64)>>,
}

impl ScoreColumns {
    fn new(heads: usize, n: usize) -> ScoreColumns {
        ScoreColumns {
            incivility: Vec::with_capacity(n),
            uncivil: Vec::with_capacity(n),
            domain: Vec::with_capacity(n),
            attributes: (0..heads).map(|_| Vec::with_capacity(n)).collect(),
            stance: Vec::with_capacity(n),
            probs: std::array::from_fn(|_| Vec::with_capacity(n)),
            reasons: Vec::with_capacity(n),
            stance_reasons: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, s: Option<&Scored>) {
        self.incivility.push(s.map(|s| s.incivility));
        self.uncivil.push(s.map(|s| s.uncivil));
        self.domain
            .push(s.and_then(|s| s.domain).map(str::to_string));
        for (j, col) in self.attributes.iter_mut().enumerate() {
            col.push(s.and_then(|s| s.attributes.get(j).copied()));
        }
        let stance = s.and_then(|s| s.stance);
        self.stance
            .push(s.and_then(|s| s.stance_label).map(|l| STANCE_LABELS[l]));
        for (k, col) in self.probs.iter_mut().enumerate() {
            col.push(stance.map(|p| p[k]));
        }
        self.reasons
            .push(s.map_or_else(Vec::new, |s| pairs(&s.reasons)));
        self.stance_reasons
            .push(s.map_or_else(Vec::new, |s| pairs(&s.stance_reasons)));
    }

    fn into_dict(self, d: &Bound<'_, PyDict>, names: &[String]) -> PyResult<()> {
        d.set_item("incivility", self.incivility)?;
        d.set_item("uncivil", self.uncivil)?;
        d.set_item("domain", self.domain)?;
        for (name, col) in names.iter().zip(self.attributes) {
            d.set_item(name, col)?;
        }
        d.set_item("stance", self.stance)?;
        for (label, col) in STANCE_LABELS.iter().zip(self.probs) {
            d.set_item(format!("p_{label}"), col)?;
        }
        d.set_item("reasons", self.reasons)?;
        d.set_item("stance_reasons", self.stance_reasons)?;
        Ok(())
    }
}

/// The comments of a data frame handed over as columns.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Table {
    name: String,
    ids: Vec<Option<String>>,
    texts: Vec<Option<String>>,
    parents: Option<Vec<Option<String>>>,
    threads: Option<Vec<Option<String>>>,
    authors: Option<Vec<Option<String>>>,
    created: Option<Vec<Option<String>>>,
    /// `root` and `pingback` are kept (the `kind` column [`read`] gives);
    /// anything else is a comment, or a root by the CSV rule.
    kinds: Option<Vec<Option<String>>>,
    /// Flag names per row, comma-separated (the `flags` column [`read`]
    /// gives: `deleted`, `irregular_indent` and `not_loaded` are kept).
    flags: Option<Vec<Option<String>>>,
    /// Levels lost above each row (from a `depth` column: a page reply
    /// whose ancestors the page did not show sits deeper than its parent's
    /// child).
    lost: Option<Vec<u32>>,
}

impl Table {
    /// Records, as CSV rows with the same cells would give, and the
    /// diagnostics of rows that cannot be records (no id). Row `i` is line
    /// `i + 1` of the table named `name`.
    fn records(&self, diags: &mut Diagnostics) -> PyResult<Vec<RawComment>> {
        let n = self.ids.len();
        let same = |c: &Option<Vec<Option<String>>>, what: &str| match c {
            Some(c) if c.len() != n => Err(PyValueError::new_err(format!(
                "the {what} column has {} values, the id column {n}",
                c.len()
            ))),
            _ => Ok(()),
        };
        if self.texts.len() != n {
            return Err(PyValueError::new_err(format!(
                "the text column has {} values, the id column {n}",
                self.texts.len()
            )));
        }
        same(&self.parents, "parent")?;
        same(&self.threads, "thread")?;
        same(&self.authors, "author")?;
        same(&self.created, "created")?;
        same(&self.kinds, "kind")?;
        same(&self.flags, "flags")?;
        if self.lost.as_ref().is_some_and(|l| l.len() != n) {
            return Err(PyValueError::new_err(
                "the depth column has fewer values than the id column",
            ));
        }
        let name: Arc<str> = self.name.as_str().into();
        fn cell(c: &Option<Vec<Option<String>>>, i: usize) -> Option<&str> {
            c.as_ref()?[i]
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
        }
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let loc = SourceLoc::new(name.clone(), i as u64 + 1);
            let Some(id) = self.ids[i]
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            else {
                diags
                    .report(loc, DiagKind::MissingField, "empty id")
                    .map_err(|e| err(&e))?;
                continue;
            };
            let cells = Cells {
                parent: cell(&self.parents, i),
                thread: cell(&self.threads, i),
                author: cell(&self.authors, i),
                created: cell(&self.created, i),
            };
            let text = self.texts[i].as_deref().unwrap_or("");
            let mut r = row_record(id.to_string(), text, cells, loc);
            match cell(&self.kinds, i) {
                Some("root") => r.kind = Kind::Root,
                Some("pingback") => r.kind = Kind::Pingback,
                _ => {}
            }
            // What the reader found; the builder's findings (orphan,
            // cycle_broken) it finds again.
            for name in cell(&self.flags, i).unwrap_or("").split(',') {
                if let Some(f @ (Flags::DELETED | Flags::IRREGULAR_INDENT | Flags::NOT_LOADED)) =
                    Flags::from_name(name.trim())
                {
                    r.flags.insert(f);
                }
            }
            if let Some(l) = self.lost.as_ref().map(|l| l[i]).filter(|&l| l > 0) {
                r.missing_ancestors = l.min(u16::MAX as u32) as u16;
                r.flags.insert(Flags::MISSING_ANCESTORS);
            }
            out.push(r);
        }
        Ok(out)
    }
}

/// `{kind, source, message, records}` per diagnostic, in input order.
fn diagnostics<'py>(
    py: Python<'py>,
    diags: &Diagnostics,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let list = pyo3::types::PyList::empty(py);
    for d in diags.in_input_order() {
        let item = PyDict::new(py);
        item.set_item("kind", d.kind.name())?;
        item.set_item("rejected", d.kind.is_rejection())?;
        item.set_item("source", d.loc.to_string())?;
        item.set_item("message", &d.message)?;
        item.set_item("records", d.records)?;
        list.append(item)?;
    }
    Ok(list)
}

/// Where each node of a forest sits: `thread, id, parent, depth, kind,
/// author, created, text, source, flags` columns (made-up placeholder roots left
/// out: their ids stay in `parent`).
#[derive(Default)]
struct NodeColumns {
    thread: Vec<String>,
    id: Vec<String>,
    parent: Vec<Option<String>>,
    depth: Vec<u32>,
    kind: Vec<&'static str>,
    author: Vec<Option<String>>,
    created: Vec<Option<i64>>,
    text: Vec<String>,
    source: Vec<String>,
    flags: Vec<Vec<&'static str>>,
}

impl NodeColumns {
    fn push(&mut self, t: &Thread, i: usize, text: bool) {
        let n = &t.nodes[i];
        self.thread.push(t.id.to_string());
        self.id.push(n.rec.id.to_string());
        self.parent.push(t.parent_id(i).map(str::to_string));
        self.depth.push(n.depth);
        self.kind.push(n.rec.kind.name());
        self.author
            .push(n.rec.author.as_deref().map(str::to_string));
        self.created.push(n.rec.created);
        if text {
            self.text.push(n.rec.text.to_string());
        }
        self.source.push(n.rec.source.to_string());
        self.flags.push(n.rec.flags.names());
    }

    fn into_dict(self, d: &Bound<'_, PyDict>) -> PyResult<()> {
        let with_text = !self.text.is_empty() || self.id.is_empty();
        d.set_item("thread", self.thread)?;
        d.set_item("id", self.id)?;
        d.set_item("parent", self.parent)?;
        d.set_item("depth", self.depth)?;
        d.set_item("kind", self.kind)?;
        d.set_item("author", self.author)?;
        d.set_item("created", self.created)?;
        if with_text {
            d.set_item("text", self.text)?;
        }
        d.set_item("source", self.source)?;
        d.set_item("flags", self.flags)?;
        Ok(())
    }
}

/// The nodes that are input records (not made-up placeholder roots).
fn records_of(t: &Thread) -> impl Iterator<Item = usize> + '_ {
    (0..t.nodes.len()).filter(|&i| t.nodes[i].rec.kind != Kind::Placeholder)
}

/// Build the trees of `records`, the builder's notes going to `diags`.
fn build(records: Vec<RawComment>, diags: &mut Diagnostics) -> PyResult<Forest> {
    forest::build(records, diags).map_err(|e| err(&e))
}

/// Read a dump (a file or a folder, any format the command line reads)
/// into node columns plus `diagnostics` and `records` (records read).
#[pyfunction]
#[pyo3(signature = (path, format = "auto"))]
fn read<'py>(py: Python<'py>, path: PathBuf, format: &str) -> PyResult<Bound<'py, PyDict>> {
    let format = Format::from_name(format)
        .ok_or_else(|| PyValueError::new_err(format!("unknown format {format:?}")))?;
    if !path.exists() {
        return Err(PyFileNotFoundError::new_err(format!(
            "{}: No such file or directory",
            path.display()
        )));
    }
    let (cols, diags, records) = py.detach(|| -> PyResult<_> {
        let opts = ReadOptions {
            format,
            ..Default::default()
        };
        let mut diags = Diagnostics::new(false);
        let mut recs = Vec::new();
        let input = Input::Path(path);
        let stats = ingest::read_inputs(&[input], &opts, &mut diags, &mut |r| recs.push(r))
            .map_err(|e| err(&e))?;
        let forest = build(recs, &mut diags)?;
        let mut cols = NodeColumns::default();
        for t in &forest.threads {
            for i in records_of(t) {
                cols.push(t, i, true);
            }
        }
        Ok((cols, diags, stats.records))
    })?;
    let d = PyDict::new(py);
    cols.into_dict(&d)?;
    d.set_item("diagnostics", diagnostics(py, &diags)?)?;
    d.set_item("records", records)?;
    Ok(d)
}

/// The scorer's models, loaded once and shared by every call.
#[pyclass(frozen)]
struct Models {
    scorer: Arc<Scorer>,
    names: Vec<String>,
}

#[pymethods]
impl Models {
    /// Load the built-in models, or those of the folder `models`.
    #[new]
    #[pyo3(signature = (models = None, threshold = None, stance = true, attributes = true, explain = "flagged", top = 5, domains = true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        models: Option<PathBuf>,
        threshold: Option<f64>,
        stance: bool,
        attributes: bool,
        explain: &str,
        top: usize,
        domains: bool,
    ) -> PyResult<Models> {
        let choice = ModelChoice {
            models,
            no_stance: !stance,
            no_attributes: !attributes,
            no_domains: !domains,
            threshold,
            explain: explain_of(explain)?,
            top,
            ..Default::default()
        };
        let scorer = py.detach(|| load_scorer(&choice)).map_err(|e| err(&e))?;
        let names = attribute_names(&scorer);
        Ok(Models {
            scorer: Arc::new(scorer),
            names,
        })
    }

    /// Names, content hashes and the threshold.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let (inc, stance) = self.scorer.hashes();
        d.set_item("incivility", inc)?;
        d.set_item("stance", stance)?;
        let heads = PyDict::new(py);
        for (n, h) in self.names.iter().zip(self.scorer.attribute_hashes()) {
            heads.set_item(n, h)?;
        }
        d.set_item("attributes", heads)?;
        let domain = self.scorer.domain_hashes();
        if !domain.is_empty() {
            d.set_item("domains", domain.into_iter().collect::<HashMap<_, _>>())?;
        }
        d.set_item("threshold", self.scorer.threshold())?;
        Ok(d)
    }

    /// Score texts (each toward its parent text, when one is given):
    /// score columns, one value per text.
    #[pyo3(signature = (texts, parents = None))]
    fn score_texts<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        parents: Option<Vec<Option<String>>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        if let Some(p) = &parents {
            if p.len() != texts.len() {
                return Err(PyValueError::new_err(format!(
                    "{} texts but {} parents",
                    texts.len(),
                    p.len()
                )));
            }
        }
        let scorer = &*self.scorer;
        let cols = py.detach(|| {
            // Each text as the server scores one: the comment alone, or
            // its parent and it as a thread of two.
            let scored: Vec<Scored> = (0..texts.len())
                .into_par_iter()
                .with_min_len(64)
                .map_init(ScoreScratch::default, |s, i| {
                    let parent = parents.as_ref().and_then(|p| p[i].as_deref());
                    score_one(scorer, &texts[i], parent, s)
                })
                .collect();
            let mut cols = ScoreColumns::new(self.names.len(), scored.len());
            for s in &scored {
                cols.push(Some(s));
            }
            cols
        });
        let d = PyDict::new(py);
        cols.into_dict(&d, &self.names)?;
        Ok(d)
    }

    /// Score a table's comments in their threads: node columns, then score
    /// columns, one row per record (in tree order, as `score` writes them),
    /// plus `diagnostics` and `records`.
    fn score_table<'py>(&self, py: Python<'py>, table: Table) -> PyResult<Bound<'py, PyDict>> {
        let scorer = &*self.scorer;
        let (nodes, cols, diags) = py.detach(|| -> PyResult<_> {
            let mut diags = Diagnostics::new(false);
            let forest = build(table.records(&mut diags)?, &mut diags)?;
            let scores = scorer.score_forest(&forest, &|_| {});
            let mut nodes = NodeColumns::default();
            let mut cols = ScoreColumns::new(self.names.len(), table.ids.len());
            for (t, sc) in forest.threads.iter().zip(&scores) {
                for i in records_of(t) {
                    nodes.push(t, i, false);
                    cols.push(sc[i].as_ref());
                }
            }
            Ok((nodes, cols, diags))
        })?;
        let d = PyDict::new(py);
        nodes.into_dict(&d)?;
        cols.into_dict(&d, &self.names)?;
        d.set_item("diagnostics", diagnostics(py, &diags)?)?;
        d.set_item("records", table.ids.len())?;
        Ok(d)
    }

    /// Write the report of a table's threads to `path` as `format` (html,
    /// md or json); returns the report's JSON text (its corpus numbers,
    /// tables and queue) and the diagnostics.
    #[pyo3(signature = (table, path, format, queue = 200, threads = 200, trees = 25, queue_sort = None))]
    #[allow(clippy::too_many_arguments)]
    fn report_table<'py>(
        &self,
        py: Python<'py>,
        table: Table,
        path: PathBuf,
        format: &str,
        queue: usize,
        threads: usize,
        trees: usize,
        queue_sort: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let queue_sort = match queue_sort.as_deref() {
            None => None,
            Some(s) => threadlens::analyze::report::queue_sort(s, &self.names)
                .map_err(|e| PyValueError::new_err(format!("queue_sort {e}")))?,
        };
        if !matches!(format, "html" | "md" | "json") {
            return Err(PyValueError::new_err(format!(
                "{}: the report is written as html, md or json",
                path.display()
            )));
        }
        let scorer = &*self.scorer;
        let (json, diags) = py.detach(|| -> PyResult<_> {
            let mut diags = Diagnostics::new(false);
            let forest = build(table.records(&mut diags)?, &mut diags)?;
            let scores = scorer.score_forest(&forest, &|_| {});
            let (hi, hs) = scorer.hashes();
            let models = ReportModels {
                incivility: hi.to_string(),
                stance: hs.map(str::to_string),
            };
            // The queue by a head holds the comments that head flags.
            let queue_sort_threshold = queue_sort
                .as_deref()
                .and_then(|k| scorer.attribute_threshold(k));
            let opt = ReportOptions {
                threshold: scorer.threshold(),
                trees,
                queue_trees: queue,
                queue: Some(queue),
                attributes: self.names.clone(),
                queue_sort,
                queue_sort_threshold,
                ..Default::default()
            };
            let mut b = ReportBuilder::new(models, opt);
            b.add_forest(&forest, &scores);
            let report = b.finish();
            let mut json = serde_json::to_vec_pretty(&report).map_err(|e| err(&e))?;
            json.push(b'\n');
            let bytes = match format {
                "json" => json.clone(),
                "md" => render::markdown(&report, queue, threads).into_bytes(),
                _ => render::html(&report, queue, threads).into_bytes(),
            };
            threadlens::output::write_atomic(&path, &bytes).map_err(|e| err(&e))?;
            Ok((String::from_utf8(json).expect("JSON is UTF-8"), diags))
        })?;
        let d = PyDict::new(py);
        d.set_item("json", json)?;
        d.set_item("diagnostics", diagnostics(py, &diags)?)?;
        Ok(d)
    }
}

/// The embedded models' short hashes (`incivility …, stance …`).
#[pyfunction]
fn embedded_models() -> &'static str {
    threadlens::classify::embedded::SUMMARY
}

#[pymodule]
fn _threadlens(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ThreadlensError", m.py().get_type::<ThreadlensError>())?;
    m.add_class::<Models>()?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(embedded_models, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
