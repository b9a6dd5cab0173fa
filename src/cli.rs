//! Command-line options (raw, as clap parses them) and their resolution into
//! checked per-command configs. Nothing here opens files.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use threadlens::ingest::{FieldMap, Format, Input, ReadOptions};

/// Rebuild comment threads from dumps, score incivility and stance, and report how debate spreads.
#[derive(Parser, Debug)]
#[command(
    name = "threadlens",
    version,
    long_version = concat!(env!("CARGO_PKG_VERSION"), " (built-in models: ", env!("THREADLENS_EMBEDDED_MODELS"), ")"),
    about,
    long_about = None
)]
pub struct Cli {
    /// No progress bars or summaries on stderr (errors still print).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print what the work is doing on stderr: training stage timings and
    /// optimizer statistics (`RUST_LOG` can narrow or widen it).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Rebuild reply trees and write one canonical JSON line per comment, in tree order.
    Parse(ParseArgs),
    /// Train an incivility or stance model on labeled CSV and write the model file.
    Train(TrainArgs),
    /// Evaluate a model on labeled CSV; metrics as JSON on stdout.
    Eval(EvalArgs),
    /// Train the WordPiece tokenizer (models/tokenizer.json) on text columns of CSV files.
    Tokenizer(TokenizerArgs),
    /// Score every comment of a dump: P(uncivil), stance toward the parent, top features.
    Score(ScoreArgs),
    /// The moderation and debate-dynamics report of a dump (HTML, Markdown or JSON).
    Report(ReportArgs),
    /// List the built-in models and the ones the options select (name, hash, training data, metrics).
    Models(ModelsArgs),
    /// An HTTP server that speaks the Perspective API (comments:analyze), from the local models.
    Serve(ServeArgs),
    /// Build the report from partial reports (`report --partial`) of a dump split by thread.
    Merge(MergeArgs),
}

/// `threadlens merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Partial reports, from `report --partial` on disjoint sets of threads.
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    /// Output: `.html`, `.md` or `.json` (by extension), or `-` for standard
    /// output (format by --output-format).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Format of the report: html, md or json (default: by the output's
    /// extension; html for `-o -`).
    #[arg(long, value_name = "FORMAT")]
    pub output_format: Option<String>,
    /// Also write the moderation queue the partials kept (their top
    /// `--queue`) as CSV.
    #[arg(long, value_name = "FILE")]
    pub queue_csv: Option<PathBuf>,
}

/// `threadlens serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on (loopback by default; 0.0.0.0:8080 for every interface).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// File of accepted API keys, one per line: requests then need `?key=` or the
    /// `X-Goog-Api-Key` header (403 otherwise).
    #[arg(long, value_name = "FILE")]
    pub api_keys: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Largest request body in bytes (413 past it).
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES")]
    pub max_body: usize,
    /// Connections served at once (more wait to be accepted).
    #[arg(long, default_value_t = 4096, value_name = "N")]
    pub max_connections: usize,
    /// Write each request's comment text to the log (never written otherwise).
    #[arg(long)]
    pub log_text: bool,
    #[command(flatten)]
    pub models: ModelArgs,
}

/// `threadlens models`.
#[derive(Args, Debug)]
pub struct ModelsArgs {
    /// Folder of models to describe beside the built-in ones.
    #[arg(long, env = "THREADLENS_MODELS", value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Models and decision settings shared by `score` and `report`.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Folder holding incivility.json and stance.json (default: the models
    /// built into this binary).
    #[arg(long, env = "THREADLENS_MODELS", value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// Incivility model file (overrides --models).
    #[arg(long, value_name = "FILE")]
    pub incivility_model: Option<PathBuf>,
    /// Stance model file (overrides --models).
    #[arg(long, value_name = "FILE")]
    pub stance_model: Option<PathBuf>,
    /// Score incivility only.
    #[arg(long)]
    pub no_stance: bool,
    /// Leave out the attribute heads (INSULT, IDENTITY_ATTACK, PROFANITY).
    #[arg(long)]
    pub no_attributes: bool,
    /// Score every comment's incivility with the pooled model: none with
    /// the GitHub model (by default, comments of three words or more that
    /// read like GitHub issue comments are scored by a model of GitHub's
    /// incivility labels).
    #[arg(long)]
    pub no_domains: bool,
    /// Incivility threshold (default: the model's own, F1-best on its training data).
    #[arg(long, value_name = "P")]
    pub threshold: Option<f64>,
    /// Which comments get their top features: flagged (incivility at/over the threshold, stance decided agree/disagree/query), all, none.
    #[arg(long, default_value = "flagged", value_name = "WHICH")]
    pub explain: String,
    /// Features listed per explained comment (pushing up, then down).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub top_features: usize,
    /// How explanations show character n-grams: words (each word's n-grams
    /// taken together, `word:idiots`) or ngrams (`chr:_idi`). Models
    /// trained with `--char-tf sublinear` always show n-grams.
    #[arg(long, default_value = "words", value_name = "HOW")]
    pub char_reasons: String,
}

/// `threadlens score`.
#[derive(Args, Debug)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Output: `.jsonl` (default, also stdout) or `.csv`.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Rows also carry the comment's text (`text`, after `author`).
    #[arg(long)]
    pub include_text: bool,
}

/// `threadlens report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Output: `.html`, `.md` or `.json` (by extension), or `-` for standard
    /// output (format by --output-format).
    #[arg(long, short, required_unless_present = "partial")]
    pub output: Option<PathBuf>,
    /// Write the report's mergeable state to FILE instead of the report
    /// (for a part of a dump split by thread; `threadlens merge` builds the
    /// report from the parts, the same as one `report` over the whole).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "gold", "queue_csv"])]
    pub partial: Option<PathBuf>,
    /// Format of the report: html, md or json (default: by the output's
    /// extension; html for `-o -`).
    #[arg(long, value_name = "FORMAT")]
    pub output_format: Option<String>,
    /// Also write the whole moderation queue as CSV.
    #[arg(long, value_name = "FILE")]
    pub queue_csv: Option<PathBuf>,
    /// Threads listed in the HTML/Markdown tables.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub threads: usize,
    /// Threads kept in the JSON report, the top N by attention, or `all`.
    /// Every corpus number (counts, means, intervals, participants) covers
    /// all threads either way; the cut keeps a report over hundreds of
    /// millions of threads (and `merge`) in bounded memory.
    #[arg(long, default_value = "100000", value_name = "N|all", value_parser = parse_limit)]
    pub json_threads: Limit,
    /// Queue rows kept in the HTML/Markdown/JSON (with --queue-csv the JSON and CSV have all).
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub queue: usize,
    /// Thread trees drawn in the HTML.
    #[arg(long, default_value_t = 25, value_name = "N")]
    pub trees: usize,
    /// The queue by an attribute head (insult, identity_attack, profanity)
    /// instead of P(uncivil): the comments at or over that head's own
    /// threshold, highest first (an identity attack the incivility model
    /// passes is queued too).
    #[arg(long, value_name = "ATTRIBUTE")]
    pub queue_sort: Option<String>,
    /// Gold labels (CSV with id and label columns): contagion and shares
    /// are also computed from them and reported beside the predicted ones.
    #[arg(long, value_name = "FILE")]
    pub gold: Option<PathBuf>,
}

/// Column names and limits for labeled CSV.
#[derive(Args, Debug, Clone)]
pub struct LabeledArgs {
    /// Column holding the comment text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_col: String,
    /// Column holding the label.
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_col: String,
    /// Column holding the parent's text (stance).
    #[arg(long, default_value = "parent_text", value_name = "NAME")]
    pub parent_col: String,
    /// Binary tasks: the label value that means uncivil (default: 1/true/yes/toxic/offensive/...).
    #[arg(long, value_name = "VALUE")]
    pub positive_label: Option<String>,
    /// Largest CSV record accepted, in bytes.
    #[arg(long, default_value_t = 8 << 20, value_name = "BYTES")]
    pub max_record_bytes: usize,
    /// Treat rows with empty text as errors instead of reporting and skipping (train) or scoring (eval) them.
    #[arg(long)]
    pub strict: bool,
}

/// `threadlens train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// incivility or stance.
    #[arg(long, default_value = "incivility")]
    pub task: String,
    /// Labeled CSV to train on (several files are combined).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Labeled CSV to report held-out metrics on.
    #[arg(long, value_name = "FILE", conflicts_with = "holdout")]
    pub test: Option<PathBuf>,
    /// Hold out this fraction of the training rows for metrics: whole threads
    /// when every row has a thread_id, else rows stratified by class.
    #[arg(long, value_name = "FRACTION")]
    pub holdout: Option<f64>,
    /// WordPiece tokenizer to use; trained on the training texts if absent and models/tokenizer.json does not exist.
    #[arg(long, value_name = "FILE")]
    pub tokenizer: Option<PathBuf>,
    /// Vocabulary size when a tokenizer is trained here.
    #[arg(long, default_value_t = 16000)]
    pub vocab_size: usize,
    /// Inverse regularisation strength of the n-gram stage.
    #[arg(long, short = 'C', default_value_t = 4.0)]
    pub c: f64,
    /// Folds for the out-of-fold scores the head is fitted on.
    #[arg(long, default_value_t = 3)]
    pub folds: usize,
    /// Keep n-grams that occur in at least this many training texts.
    #[arg(long, default_value_t = 2)]
    pub min_df: u32,
    /// L-BFGS iterations at most per n-gram fit.
    #[arg(long, default_value_t = 50)]
    pub max_iters: u64,
    /// Do not scale n-gram columns by naive-Bayes log-count ratios (NBSVM, used for binary tasks by default).
    #[arg(long)]
    pub no_nb: bool,
    /// Train a general model: one expert per --data file and a router that picks by resemblance.
    #[arg(long)]
    pub mixture: bool,
    /// Give every --data file the same total weight (for models trained on several sources).
    #[arg(long)]
    pub balance_files: bool,
    /// Balance the classes within each --data file (each file's positives and
    /// negatives weigh alike), so words that only mark which file a text came
    /// from carry no label. Implies --balance-files.
    #[arg(long)]
    pub balance_file_classes: bool,
    /// Fit with one indicator per --data file that absorbs its base rate and
    /// style, left out of the stored model (scoring reads no source).
    #[arg(long)]
    pub source_intercepts: bool,
    /// Compute the naive-Bayes scaling of each n-gram within each --data
    /// file and average it, so n-grams that mark which file a text came
    /// from (a placeholder, a platform's jargon) get no head start.
    #[arg(long)]
    pub nb_within_files: bool,
    /// log2 of the hashed token n-gram space.
    #[arg(long, default_value_t = 20)]
    pub word_bits: u8,
    /// log2 of the hashed character n-gram space.
    #[arg(long, default_value_t = 20)]
    pub char_bits: u8,
    /// Character 2-5-grams (yes/no). Default: yes for incivility (they catch
    /// obfuscated insults), no for stance (token n-grams alone measured as
    /// good or better on held-out stance data, and 4x faster).
    #[arg(long, value_name = "yes|no", value_parser = clap::builder::BoolishValueParser::new())]
    pub char_ngrams: Option<bool>,
    /// Which words give character n-grams: `all`, or `unknown` (only words
    /// that are not one whole token of the tokenizer's vocabulary).
    #[arg(long, value_name = "all|unknown", default_value = "all")]
    pub char_words: CharWordsArg,
    /// Weighting of character n-gram counts: `linear` (tf·idf over
    /// sqrt(Σ tf·idf²): a text's block is the sum of its words' blocks,
    /// which `score` keeps per word; as accurate as `sublinear` on the
    /// bench tasks, see the model card) or `sublinear` ((1 + ln tf)·idf,
    /// L2-normalised, as scikit-learn's sublinear TF-IDF and models made
    /// before this option).
    #[arg(long, value_name = "linear|sublinear", default_value = "linear")]
    pub char_tf: CharTfArg,
    /// Train on the featurizer and vocabulary (n-gram columns and idf) of
    /// this model instead of fitting new ones, so the new model's n-gram
    /// weights line up with its columns: attribute heads trained on the
    /// incivility model's vocabulary are scored from one table with it, at
    /// little cost beyond it. The featurizer and vocabulary options above
    /// (`--tokenizer`, `--char-*`, `--word-bits`, `--min-df` ...) come from
    /// that model and cannot be given with it.
    #[arg(long, value_name = "MODEL", conflicts_with_all = ["tokenizer", "vocab_size", "mixture", "char_ngrams", "char_words", "char_tf", "word_bits", "char_bits", "min_df", "fold_spelling", "cue_window", "sentiment_negation", "sentiment_positive", "group_word"])]
    pub vocab_of: Option<PathBuf>,
    /// Before tokenizing, join letters spaced or dotted out into the word
    /// they spell (`m u s l i m s`, `k.i.l.l`) when it is a group's name
    /// or a word of the two compiled-in lexicons, and read a group's name
    /// misspelled by one letter (`muslms`, `mulsims`) as the name unless
    /// it is a whole token of the vocabulary. The model records the word
    /// lists' fingerprint and needs a threadlens with the same lists.
    #[arg(long)]
    pub fold_spelling: bool,
    /// With `--fold-spelling`: follow every group name of the spelling
    /// folds' list (`muslims`, `women`, `gay` ...) with one word they all
    /// share, so the model learns what is said of any group beside what its
    /// data said of each, and a group the data rarely names is not passed
    /// over. Explanations show the shared word as `[group]`.
    #[arg(long, requires = "fold_spelling")]
    pub group_word: bool,
    /// Read the dense cues of a text longer than this many words per
    /// window of this many words: counts (`!`, `?`, `you`, negations) as a
    /// rate per window, the lexicons' strongest ratings as their mean over
    /// the windows. Without it a long post's counts and maxima grow with
    /// its length, and long posts score higher for being long.
    #[arg(long, value_name = "WORDS", value_parser = clap::value_parser!(u16).range(1..))]
    pub cue_window: Option<u16>,
    /// The sentiment inputs (`--sentiment`) leave out a negative word that
    /// a negation (`not`, `never`, `n't` ...) up to three words before it
    /// reaches, as VADER does: "I don't hate them" has no negative word.
    /// Recorded in the featurizer, so a model without `--sentiment` (the
    /// stance model) can share its featurizing with one that has it.
    #[arg(long)]
    pub sentiment_negation: bool,
    /// The head also reads the sentiment list's positive side (`--sentiment`):
    /// the strongest positive rating among the words and the share of words
    /// rated +2 or more, for comments that speak well of whom they name.
    /// With `--sentiment-negation` a negated positive word is not positive.
    #[arg(long)]
    pub sentiment_positive: bool,
    /// Static token embeddings for the dense head: a table with a vector
    /// per piece of the tokenizer (`models/embeddings.json`, written by
    /// `scripts/distill_embeddings.py` for `models/tokenizer.json`). The
    /// model stores its copy. With `--vocab-of`, the base model's table
    /// (if any) is used instead.
    #[arg(long, value_name = "TABLE", conflicts_with_all = ["vocab_of"])]
    pub embeddings: Option<PathBuf>,
    /// With `--vocab-of`: leave out the base model's embedding table (the
    /// head learns from the n-gram columns and cues only; it is still
    /// scored from one table with the base).
    #[arg(long, requires = "vocab_of")]
    pub no_embeddings: bool,
    /// Give the dense head the abusive-word lexicon's inputs: per category
    /// (profane, offensive, sexual, mean) the strongest rating and the
    /// share of the text's words that hit, from a public word list compiled into threadlens
    /// (`models/lexicon.csv`). The model records the list's hash and needs
    /// a threadlens with the same list. With `--vocab-of`, a base model's
    /// choice is kept unless `--no-lexicon`.
    #[arg(long, conflicts_with = "no_lexicon")]
    pub lexicon: bool,
    /// Leave the lexicon's inputs out (of a `--vocab-of` base that has them).
    #[arg(long)]
    pub no_lexicon: bool,
    /// Give the dense head the sentiment lexicon's inputs: the strongest
    /// negative rating among the text's words and the share of its words
    /// rated strongly negative, from a public list of 7,500 words rated
    /// by people (VADER's, compiled into threadlens: `models/sentiment.txt`).
    /// The model records the list's hash and needs a threadlens with the
    /// same list. With `--vocab-of`, a base model's choice is kept unless
    /// `--no-sentiment`.
    #[arg(long, conflicts_with = "no_sentiment")]
    pub sentiment: bool,
    /// Leave the sentiment lexicon's inputs out (of a `--vocab-of` base
    /// that has them).
    #[arg(long)]
    pub no_sentiment: bool,
    #[command(flatten)]
    pub labeled: LabeledArgs,
    /// Model file to write.
    #[arg(long, short)]
    pub output: PathBuf,
}

/// `threadlens eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Model file.
    #[arg(
        long,
        short,
        required_unless_present = "attribute",
        conflicts_with = "attribute"
    )]
    pub model: Option<PathBuf>,
    /// Evaluate a shipped head instead of a file: TOXICITY (the incivility
    /// model, with the GitHub model for comments that read like GitHub's,
    /// as `score` gives it), INSULT, IDENTITY_ATTACK or PROFANITY (built
    /// in, or from --models DIR).
    #[arg(long, value_name = "NAME")]
    pub attribute: Option<String>,
    /// Folder of models for --attribute (default: the built-in models).
    #[arg(long, env = "THREADLENS_MODELS", value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// With --attribute TOXICITY: every row from the pooled model, none
    /// from the GitHub model (as `score --no-domains`).
    #[arg(long, requires = "attribute")]
    pub no_domains: bool,
    /// Labeled CSV.
    #[arg(long, required = true, value_name = "FILE")]
    pub data: PathBuf,
    /// Also write one JSON line per row (id, line, label, probabilities) to this file.
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
    #[command(flatten)]
    pub labeled: LabeledArgs,
}

/// `threadlens tokenizer`.
#[derive(Args, Debug)]
pub struct TokenizerArgs {
    /// CSV files whose text columns to learn from.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Text columns to read (those present in each file are used).
    #[arg(long, num_args = 1.., default_values_t = ["text".to_string(), "parent_text".to_string()], value_name = "NAME")]
    pub columns: Vec<String>,
    /// Vocabulary size.
    #[arg(long, default_value_t = 16000)]
    pub vocab_size: usize,
    /// Keep pieces seen at least this often.
    #[arg(long, default_value_t = 2)]
    pub min_frequency: u64,
    /// Output file.
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Options shared by every command that reads dumps.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files, directories (read recursively) or `-` for stdin. `.zst`/`.gz` are decompressed.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Input format: auto, pages, jsonl, reddit, hn, convokit, twitter, iac, csv, wxr.
    #[arg(long, short = 'f', default_value = "auto")]
    pub format: String,
    /// Fail on the first rejected record instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Inputs that cannot stream (threads interleave, or records find
    /// their thread through their parent chain) and hold more than this
    /// many MiB (compressed files: their estimated decompressed size) are
    /// split by thread into temporary partitions of about this size, built
    /// one at a time (memory bounded by a partition, not the dump).
    /// Standard input and pipes, which can be read only once, are held in
    /// memory up to about this much and copied to a temporary file beyond
    /// it. 0 reads everything whole.
    #[arg(long, default_value_t = 1024.0, value_name = "MIB", value_parser = parse_mib)]
    pub partition_mb: f64,
    /// Largest record (JSON line, CSV row, comment) accepted, in bytes.
    #[arg(long, default_value_t = 8 << 20, value_name = "BYTES")]
    pub max_record_bytes: usize,
    /// Largest whole-file document (page, JSON or XML file), in bytes.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES")]
    pub max_document_bytes: usize,
    /// Column/field holding the record id.
    #[arg(long, alias = "id-field", value_name = "NAME")]
    pub id_col: Option<String>,
    /// Column/field holding the parent id.
    #[arg(long, alias = "parent-field", value_name = "NAME")]
    pub parent_col: Option<String>,
    /// Column/field holding the thread id.
    #[arg(long, alias = "thread-field", value_name = "NAME")]
    pub thread_col: Option<String>,
    /// Column/field holding the text.
    #[arg(long, alias = "text-field", value_name = "NAME")]
    pub text_col: Option<String>,
    /// Column/field holding the author.
    #[arg(long, alias = "author-field", value_name = "NAME")]
    pub author_col: Option<String>,
    /// Column/field holding the creation time.
    #[arg(long, alias = "time-field", value_name = "NAME")]
    pub time_col: Option<String>,
    /// Write every diagnostic (rejections and repairs) as JSON lines to this file.
    #[arg(long, value_name = "FILE")]
    pub diagnostics: Option<PathBuf>,
}

/// `threadlens parse`.
#[derive(Args, Debug)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output file (JSON lines); stdout if absent or `-`.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Resolved input settings.
#[derive(Debug, Clone)]
pub struct InputConfig {
    pub inputs: Vec<Input>,
    pub read: ReadOptions,
    pub strict: bool,
    pub diagnostics: Option<PathBuf>,
    /// `--partition-mb` in bytes (0: never partition).
    pub partition_bytes: u64,
}

impl InputArgs {
    /// Check and resolve.
    pub fn resolve(&self) -> Result<InputConfig> {
        let Some(format) = Format::from_name(&self.format) else {
            bail!(
                "unknown --format {:?}; expected auto, pages, jsonl, reddit, hn, convokit, twitter, iac, csv or wxr",
                self.format
            );
        };
        if self.max_record_bytes == 0 || self.max_document_bytes == 0 {
            bail!("--max-record-bytes and --max-document-bytes must be positive");
        }
        if self.inputs.iter().filter(|i| *i == "-").count() > 1 {
            bail!("stdin (-) can be given only once");
        }
        // A path that is not there is an error before any work (not a
        // rejected record).
        if let Some(p) = self
            .inputs
            .iter()
            .find(|i| *i != "-" && std::fs::symlink_metadata(i).is_err())
        {
            bail!("{p}: no such file or directory");
        }
        Ok(InputConfig {
            inputs: self.inputs.iter().map(|s| Input::from_arg(s)).collect(),
            read: ReadOptions {
                format,
                fields: FieldMap {
                    id: self.id_col.clone(),
                    parent: self.parent_col.clone(),
                    thread: self.thread_col.clone(),
                    text: self.text_col.clone(),
                    author: self.author_col.clone(),
                    created: self.time_col.clone(),
                },
                max_record_bytes: self.max_record_bytes,
                max_document_bytes: self.max_document_bytes,
                bytes_read: None,
            },
            strict: self.strict,
            diagnostics: self.diagnostics.clone(),
            partition_bytes: (self.partition_mb * 1048576.0) as u64,
        })
    }
}

/// `train --char-words`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CharWordsArg {
    /// Every word.
    All,
    /// Only words that are not one whole token of the vocabulary.
    Unknown,
}

impl From<CharWordsArg> for threadlens::features::CharWords {
    fn from(a: CharWordsArg) -> Self {
        match a {
            CharWordsArg::All => threadlens::features::CharWords::All,
            CharWordsArg::Unknown => threadlens::features::CharWords::Unknown,
        }
    }
}

/// `train --char-tf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CharTfArg {
    /// `(1 + ln tf)·idf`, L2-normalised.
    Sublinear,
    /// `tf·idf` over `sqrt(Σ tf·idf²)`.
    Linear,
}

impl From<CharTfArg> for threadlens::features::CharTf {
    fn from(a: CharTfArg) -> Self {
        match a {
            CharTfArg::Sublinear => threadlens::features::CharTf::Sublinear,
            CharTfArg::Linear => threadlens::features::CharTf::Linear,
        }
    }
}

/// A non-negative size in MiB (fractions allowed).
fn parse_mib(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{s:?} is not a size in MiB (a number >= 0)")),
    }
}

/// A count limit: a number, or `all`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit(pub Option<usize>);

fn parse_limit(s: &str) -> Result<Limit, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(Limit(None));
    }
    s.parse::<usize>()
        .map(|n| Limit(Some(n)))
        .map_err(|_| format!("{s:?}: expected a number or `all`"))
}
