//! The product's main job: score every comment of a forest ([`score`]),
//! measure how debate spreads through each thread ([`dynamics`]), gather
//! the corpus view and the moderation queue ([`report`]) and render it
//! ([`render`]: HTML, Markdown, CSV; JSON is the serialised [`report::Report`]).

pub mod dynamics;
pub mod html;
pub mod mergeable;
pub mod models;
pub mod render;
pub mod report;
pub mod rows;
pub mod score;
pub mod summary;

/// Errors setting up an analysis.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// A model that cannot serve its role.
    #[error("model: {0}")]
    Model(String),
}
