//! `threadlens serve`: load the models once, bind, print `listening on
//! http://ADDR`, and answer until SIGTERM or Ctrl-C (then exit 0 once
//! in-flight requests are done).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::ServeArgs;
use threadlens::serve::{self, ServeConfig};

pub fn run(a: &ServeArgs) -> Result<ExitCode> {
    // Scores are explained only when a request asks for reasons.
    let mut models = a.models.clone();
    models.explain = "none".into();
    let scorer = super::score::scorer(&models)?;
    let api_keys = match &a.api_keys {
        Some(p) => Some(serve::read_keys(p)?),
        None => None,
    };
    let cfg = ServeConfig {
        listen: a.listen,
        api_keys,
        max_body: a.max_body,
        max_connections: a.max_connections,
        log_text: a.log_text,
        ..Default::default()
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = a.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build().context("start the server's runtime")?;
    rt.block_on(async {
        let bound = serve::bind(cfg.listen).await?;
        let mut so = std::io::stdout();
        writeln!(so, "listening on http://{}", bound.addr)?;
        so.flush()?;
        serve::serve(bound, scorer, &cfg, serve::stop_signal()).await?;
        eprintln!("threadlens: stopped");
        Ok(ExitCode::SUCCESS)
    })
}
