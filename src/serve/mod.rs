//! `threadlens serve`: an HTTP/1.1 server that answers the Perspective API's
//! protocol ([`perspective`]) from the local models, a batch endpoint for
//! whole threads (`POST /v1/threads:score`: records in any format `score`
//! reads, answered with the rows `score` writes), plus `GET /healthz` and
//! `GET /metrics` (Prometheus text format).
//!
//! hyper on tokio; the scorer is loaded once and shared read-only. Each
//! request's scoring is small and bounded (a comment is at most 20 KB), so
//! it runs on the worker that received it. Bounds: the request body
//! (`max_body`, 413 past it), the connections served at once
//! (`max_connections`; more wait in the listen backlog), and the time a
//! client may take to send its request headers (`header_timeout`). On
//! SIGTERM or Ctrl-C the server stops accepting, lets in-flight requests
//! finish, and returns.

pub mod perspective;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::analyze::score::{Explain, Scorer};
use crate::classify::ScoreScratch;

/// Errors that stop the server (request errors are answers, not these).
#[derive(Debug, Error)]
pub enum ServeError {
    /// Binding or accepting failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// The API key file is unusable.
    #[error("{0}")]
    Keys(String),
}

/// Checked server settings.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (loopback by default).
    pub listen: SocketAddr,
    /// Accepted API keys; `None` accepts every request.
    pub api_keys: Option<Vec<String>>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Connections served at once.
    pub max_connections: usize,
    /// Time a client has to send its request headers.
    pub header_timeout: Duration,
    /// How long in-flight requests may take to finish after a stop signal.
    pub drain_timeout: Duration,
    /// Write request texts to the log (never otherwise).
    pub log_text: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_keys: None,
            max_body: 4 << 20,
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(30),
            log_text: false,
        }
    }
}

/// Read an API key file: one key per line; blank lines and `#` comments
/// skipped.
pub fn read_keys(path: &std::path::Path) -> Result<Vec<String>, ServeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ServeError::Io {
        what: path.display().to_string(),
        source,
    })?;
    let keys: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    if keys.is_empty() {
        return Err(ServeError::Keys(format!(
            "{}: no API keys in the file",
            path.display()
        )));
    }
    Ok(keys)
}

/// Latency histogram bounds, seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// Request counters, the latency histogram and the in-flight gauge.
#[derive(Default)]
struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    in_flight: AtomicU64,
}

impl Metrics {
    fn render(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        o.push_str(
            "# HELP threadlens_requests_total Requests answered, by endpoint and status code.\n",
        );
        o.push_str("# TYPE threadlens_requests_total counter\n");
        for ((ep, code), n) in self.requests.lock().expect("not poisoned").iter() {
            let _ = writeln!(
                o,
                "threadlens_requests_total{{endpoint=\"{ep}\",code=\"{code}\"}} {n}"
            );
        }
        o.push_str("# HELP threadlens_request_duration_seconds Time from request to response.\n");
        o.push_str("# TYPE threadlens_request_duration_seconds histogram\n");
        let mut cum = 0;
        for (b, n) in BUCKETS.iter().zip(&self.buckets) {
            cum += n.load(Ordering::Relaxed);
            let _ = writeln!(
                o,
                "threadlens_request_duration_seconds_bucket{{le=\"{b}\"}} {cum}"
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            o,
            "threadlens_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(o, "threadlens_request_duration_seconds_sum {sum}");
        let _ = writeln!(o, "threadlens_request_duration_seconds_count {count}");
        o.push_str("# HELP threadlens_requests_in_flight Requests being answered now.\n");
        o.push_str("# TYPE threadlens_requests_in_flight gauge\n");
        let _ = writeln!(
            o,
            "threadlens_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        o
    }

    fn observe(&self, endpoint: &'static str, code: u16, took: Duration) {
        *self
            .requests
            .lock()
            .expect("not poisoned")
            .entry((endpoint, code))
            .or_default() += 1;
        let s = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| s <= b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }
}

struct AppState {
    scorer: Scorer,
    /// SHA-256 of each accepted key (compared in constant time).
    keys: Option<Vec<[u8; 32]>>,
    log_text: bool,
    metrics: Metrics,
    /// The models' hashes as `/v1/threads:score` sends them (JSON).
    models_header: String,
}

/// The `X-Threadlens-Models` header of `scorer`: its models' hashes, JSON.
fn models_header(scorer: &Scorer) -> String {
    let names = crate::analyze::rows::attribute_names(scorer);
    serde_json::to_string(&crate::analyze::rows::ModelHashes::of(scorer, &names))
        .expect("serialisable")
}

/// An error in Perspective's shape: `{"error":{"code","message","status"}}`.
fn error(code: StatusCode, message: impl Into<String>) -> Response {
    let status = match code {
        StatusCode::BAD_REQUEST => "INVALID_ARGUMENT",
        StatusCode::FORBIDDEN => "PERMISSION_DENIED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::PAYLOAD_TOO_LARGE => "INVALID_ARGUMENT",
        _ => "INTERNAL",
    };
    let body = serde_json::json!({
        "error": { "code": code.as_u16(), "message": message.into(), "status": status }
    });
    (code, axum::Json(body)).into_response()
}

/// The endpoint label of a path (bounded: hostile paths are `other`).
fn endpoint(path: &str) -> &'static str {
    match path {
        "/v1alpha1/comments:analyze" => "analyze",
        "/v1alpha1/comments:suggestscore" => "suggestscore",
        "/v1/threads:score" => "threads",
        "/healthz" => "healthz",
        "/metrics" => "metrics",
        _ => "other",
    }
}

async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let ep = endpoint(req.uri().path());
    let t0 = Instant::now();
    st.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let resp = next.run(req).await;
    st.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    st.metrics.observe(ep, resp.status().as_u16(), t0.elapsed());
    resp
}

/// The value of `name` in a query string (taken as it is: keys and format
/// names need no percent-decoding).
fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The API key of a request: `?key=` or the `X-Goog-Api-Key` header.
fn request_key<'a>(query: Option<&'a str>, headers: &'a HeaderMap) -> Option<&'a str> {
    query_param(query, "key")
        .or_else(|| headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()))
}

async fn auth(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(keys) = &st.keys {
        let given = request_key(req.uri().query(), req.headers());
        let ok = given.is_some_and(|g| {
            let d: [u8; 32] = Sha256::digest(g.as_bytes()).into();
            // Every key is compared, in constant time.
            keys.iter()
                .fold(subtle::Choice::from(0), |acc, k| acc | k.ct_eq(&d))
                .into()
        });
        if !ok {
            return error(
                StatusCode::FORBIDDEN,
                "The request is missing a valid API key.",
            );
        }
    }
    next.run(req).await
}

/// An error answer: status and message (rendered by [`error`]).
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error(self.0, self.1)
    }
}

impl From<perspective::Invalid> for ApiError {
    fn from(e: perspective::Invalid) -> Self {
        ApiError(StatusCode::BAD_REQUEST, e.0)
    }
}

type Body = Result<Bytes, axum::extract::rejection::BytesRejection>;

/// The request body (413 past the size limit).
fn body_bytes(body: Body) -> Result<Bytes, ApiError> {
    body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request payload size exceeds the limit.".into(),
        ),
        s => ApiError(s, e.body_text()),
    })
}

/// The request body as `T` (413 past the size limit, 400 for anything
/// that is not that JSON: malformed, wrong types, invalid UTF-8).
fn request_json<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, ApiError> {
    let body = body_bytes(body)?;
    serde_json::from_slice(&body).map_err(|e| {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("Invalid JSON payload received. {e}"),
        )
    })
}

thread_local! {
    static SCRATCH: std::cell::RefCell<ScoreScratch> = std::cell::RefCell::new(ScoreScratch::default());
}

async fn analyze(State(st): State<Arc<AppState>>, body: Body) -> Result<Response, ApiError> {
    let req: perspective::AnalyzeRequest = request_json(body)?;
    if st.log_text {
        let text = req.comment.as_ref().and_then(|c| c.text.as_deref());
        log::info!("analyze: {:?}", text.unwrap_or(""));
    }
    let answer = SCRATCH.with(|s| perspective::analyze(&st.scorer, req, &mut s.borrow_mut()))?;
    Ok(axum::Json(answer).into_response())
}

async fn suggest(body: Body) -> Result<Response, ApiError> {
    let req: perspective::SuggestRequest = request_json(body)?;
    Ok(axum::Json(perspective::suggest(req)?).into_response())
}

/// `POST /v1/threads:score[?format=F][&explain=flagged|all|none][&name=N]`: the body
/// is a dump in any format `score` reads (JSON lines of any dialect, a JSON
/// document, CSV with a header, WXR, a page capture); the answer is the
/// JSON lines `score` would write for it with the same options, as if it
/// were a file named `N` (default `request`: `source` is `request:LINE`,
/// and formats that name threads by their file, pages and WXR, use it),
/// with the counts of records read and rejected in the
/// `X-Threadlens-Records` and `X-Threadlens-Rejected` headers and the
/// models' hashes (once, not per row) in `X-Threadlens-Models` (JSON).
/// Scoring runs on the blocking pool: a batch may be large.
async fn threads(
    State(st): State<Arc<AppState>>,
    query: axum::extract::RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let body = body_bytes(body)?;
    let format = match query_param(query.0.as_deref(), "format") {
        None => crate::ingest::Format::Auto,
        Some(f) => crate::ingest::Format::from_name(f)
            .ok_or_else(|| ApiError(StatusCode::BAD_REQUEST, format!("unknown format {f:?}")))?,
    };
    let e = query_param(query.0.as_deref(), "explain").unwrap_or("flagged");
    let Some(explain) = Explain::from_name(e) else {
        let msg = format!("explain {e:?}: expected flagged, all or none");
        return Err(ApiError(StatusCode::BAD_REQUEST, msg));
    };
    let name: Arc<str> = query_param(query.0.as_deref(), "name")
        .unwrap_or("request")
        .into();
    let st2 = st.clone();
    let done =
        tokio::task::spawn_blocking(move || score_batch(&st2.scorer, name, body, format, explain))
            .await
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_string()),
            (
                header::HeaderName::from_static("x-threadlens-records"),
                done.1.to_string(),
            ),
            (
                header::HeaderName::from_static("x-threadlens-rejected"),
                done.2.to_string(),
            ),
            (
                header::HeaderName::from_static("x-threadlens-models"),
                st.models_header.clone(),
            ),
        ],
        done.0,
    )
        .into_response())
}

/// Read, build and score a batch; `(rows, records read, rejected)`.
fn score_batch(
    scorer: &Scorer,
    name: Arc<str>,
    body: Bytes,
    format: crate::ingest::Format,
    explain: Explain,
) -> Result<(Vec<u8>, u64, u64), ApiError> {
    let bad = |e: String| ApiError(StatusCode::BAD_REQUEST, e);
    let input = crate::ingest::Input::Memory {
        name,
        bytes: body.to_vec().into(),
    };
    let opts = crate::ingest::ReadOptions {
        format,
        ..Default::default()
    };
    let mut diags = crate::diag::Diagnostics::new(false);
    let mut records = Vec::new();
    let stats = crate::ingest::read_inputs(&[input], &opts, &mut diags, &mut |r| records.push(r))
        .map_err(|e| bad(e.to_string()))?;
    let forest = crate::forest::build(records, &mut diags).map_err(|e| bad(e.to_string()))?;
    let scores = scorer.score_forest_explaining(&forest, explain, &|_| {});
    let names = crate::analyze::rows::attribute_names(scorer);
    let mut out = Vec::new();
    let ctx = crate::analyze::rows::RowContext {
        names: &names,
        include_text: false,
    };
    crate::analyze::rows::jsonl_rows(&forest.threads, &scores, &ctx, &mut out)
        .expect("writing to memory");
    Ok((out, stats.records, diags.rejected()))
}

async fn healthz(State(st): State<Arc<AppState>>) -> Response {
    let (inc, stance) = st.scorer.hashes();
    axum::Json(serde_json::json!({
        "status": "ok",
        "models": { "incivility": inc, "stance": stance },
        "attributes": perspective::served(&st.scorer),
    }))
    .into_response()
}

async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Requested entity was not found.")
}

async fn not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed for this path.",
    )
}

fn router(st: Arc<AppState>, max_body: usize) -> Router {
    let api = Router::new()
        .route("/v1alpha1/comments:analyze", post(analyze))
        .route("/v1alpha1/comments:suggestscore", post(suggest))
        .route("/v1/threads:score", post(threads))
        .route_layer(middleware::from_fn_with_state(st.clone(), auth));
    Router::new()
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(st.clone(), track))
        .with_state(st)
}

/// A bound listener, ready to [`serve`].
pub struct Bound {
    listener: TcpListener,
    /// The address it listens on (the port filled in when 0 was asked).
    pub addr: SocketAddr,
}

/// Bind the listening socket.
pub async fn bind(addr: SocketAddr) -> Result<Bound, ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Io {
            what: format!("listen on {addr}"),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        what: "listening address".into(),
        source,
    })?;
    Ok(Bound { listener, addr })
}

/// Serve until `stop` resolves, then stop accepting and let in-flight
/// requests finish (up to `cfg.drain_timeout`).
pub async fn serve(
    bound: Bound,
    scorer: Scorer,
    cfg: &ServeConfig,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let keys = cfg.api_keys.as_ref().map(|ks| {
        ks.iter()
            .map(|k| Sha256::digest(k.as_bytes()).into())
            .collect()
    });
    let st = Arc::new(AppState {
        models_header: models_header(&scorer),
        scorer,
        keys,
        log_text: cfg.log_text,
        metrics: Metrics::default(),
    });
    let app = router(st, cfg.max_body);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(cfg.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(cfg.header_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("never closed"),
            _ = &mut stop => break,
        };
        let (stream, _) = tokio::select! {
            a = bound.listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    log::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let svc = TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(TokioIo::new(stream), svc);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that goes away mid-request is its own business.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(bound.listener);
    let _ = tokio::time::timeout(cfg.drain_timeout, graceful.shutdown()).await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
