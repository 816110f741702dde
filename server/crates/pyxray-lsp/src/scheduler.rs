//! Scheduling analyses: one per document version, on a blocking thread (the runtime's threads
//! have large stacks, since parsing deeply nested code recurses), debounced only within bursts of edits.
//! Results are cached on the document for hovers and published as diagnostics stamped with the
//! version they describe, followed by the document's `pyxray/status` when it changed; results for
//! a superseded version or settings generation are dropped.

use crate::convert::to_proto;
use crate::documents::Document;
use crate::guard::panic_message;
use crate::handlers::status;
use crate::session::Session;
use dashmap::DashMap;
use pyxray_insights::{AnalysisConfig, FileAnalysis};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_lsp::lsp_types::{Diagnostic, DiagnosticSeverity, Position, Range, Url};

/// How long to wait after an edit that follows another one this closely, so that a burst of
/// keystrokes costs one analysis. An isolated edit is analysed at once.
pub(crate) const CHANGE_DEBOUNCE: Duration = Duration::from_millis(30);

/// Set when the work it belongs to is no longer wanted.
#[derive(Clone, Default)]
pub(crate) struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Default)]
pub(crate) struct Scheduler {
    /// The pending diagnostics task of each document.
    pending: DashMap<Url, CancelFlag>,
    /// When each document last changed.
    last_change: DashMap<Url, Instant>,
    /// Held while checking that a result is current and sending it, so that publications for
    /// one document cannot overtake each other.
    publish: tokio::sync::Mutex<()>,
}

/// Why no analysis could be produced.
#[derive(Debug)]
pub(crate) enum AnalysisFailed {
    Panicked(String),
    Cancelled,
}

impl Scheduler {
    /// Forgets the pending work for `uri`.
    pub fn cancel(&self, uri: &Url) {
        if let Some((_, flag)) = self.pending.remove(uri) {
            flag.cancel();
        }
        self.last_change.remove(uri);
    }

    /// How long to wait before analysing `uri` after the edit that just arrived: nothing for an
    /// isolated edit, nor for one that follows an edit already published; [`CHANGE_DEBOUNCE`] when
    /// it comes within that time of the previous edit while that one is still being analysed
    /// (a burst of keystrokes faster than analysis then costs one analysis, not one each).
    pub fn change_delay(&self, uri: &Url) -> Duration {
        let now = Instant::now();
        let previous = self.last_change.insert(uri.clone(), now);
        let busy = self.pending.contains_key(uri);
        match previous {
            Some(previous) if busy && now.duration_since(previous) < CHANGE_DEBOUNCE => CHANGE_DEBOUNCE,
            _ => Duration::ZERO,
        }
    }

    pub async fn publish_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.publish.lock().await
    }
}

/// Analyses the current version of `uri` after `delay` and publishes its diagnostics. Any task
/// already pending for `uri` is cancelled.
pub(crate) fn schedule(session: &Arc<Session>, uri: &Url, delay: Duration) {
    let Some(doc) = session.documents.get(uri) else { return };
    let flag = CancelFlag::default();
    if let Some(old) = session.scheduler.pending.insert(uri.clone(), flag.clone()) {
        old.cancel();
    }
    let session = session.clone();
    let uri = uri.clone();
    tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        // Settings that change during the analysis make it stale; unless another task has taken
        // over (the flag), analyse again, so that the document always ends up published.
        let (result, _guard) = loop {
            if flag.is_cancelled() {
                return;
            }
            let generation = session.generation();
            let result = analysis(&session, &doc, &flag).await;
            let guard = session.scheduler.publish_lock().await;
            let current = session.documents.get(&uri).is_some_and(|d| d.version == doc.version);
            if flag.is_cancelled() || !current {
                tracing::debug!("dropping diagnostics for {uri} version {}: superseded", doc.version);
                return;
            }
            if session.generation() == generation {
                break (result, guard);
            }
            tracing::debug!("settings changed while analysing {uri}: analysing again");
        };
        let diagnostics = match &result {
            Ok(analysis) => {
                let at = doc.positions(session.encoding());
                analysis.diagnostics().iter().map(|d| to_proto::diagnostic(at, d)).collect()
            }
            Err(AnalysisFailed::Cancelled) => return,
            Err(AnalysisFailed::Panicked(why)) => vec![internal_error_diagnostic(why)],
        };
        session.client.publish_diagnostics(uri.clone(), diagnostics, Some(doc.version)).await;
        if let Ok(analysis) = &result {
            status::publish(&session, &uri, analysis.config()).await;
        }
        session.scheduler.pending.remove_if(&uri, |_, f| Arc::ptr_eq(&f.0, &flag.0));
    });
}

/// Analyses every open document again (after the settings or the detected versions changed).
pub(crate) fn reanalyse_all(session: &Arc<Session>) {
    for uri in session.documents.uris() {
        schedule(session, &uri, Duration::ZERO);
    }
}

/// The analysis of `doc` under the current settings: from the document's cache when present,
/// otherwise computed on a blocking thread (detecting its Python version there, see
/// [`crate::detection`]) and cached.
pub(crate) async fn analysis(
    session: &Session,
    doc: &Arc<Document>,
    cancel: &CancelFlag,
) -> Result<Arc<FileAnalysis>, AnalysisFailed> {
    let (generation, settings) = session.settings();
    if let Some(cached) = doc.cached_analysis(generation) {
        return Ok(cached);
    }
    let task_doc = doc.clone();
    let task_cancel = cancel.clone();
    let detection = session.detection.clone();
    let joined = tokio::task::spawn_blocking(move || {
        if task_cancel.is_cancelled() {
            return None;
        }
        let config = detection.config_for(&settings, &task_doc.uri);
        compute(&task_doc, &config, &task_cancel)
    })
    .await;
    let analysis = match joined {
        Ok(Some(analysis)) => analysis,
        Ok(None) => return Err(AnalysisFailed::Cancelled),
        Err(e) if e.is_panic() => {
            let why = panic_message(e.into_panic().as_ref());
            tracing::error!("analysis of version {} panicked: {why}", doc.version);
            return Err(AnalysisFailed::Panicked(why));
        }
        Err(_) => return Err(AnalysisFailed::Cancelled),
    };
    if let Some(stale) = doc.cache_analysis(generation, analysis.clone()) {
        tokio::task::spawn_blocking(move || drop(stale));
    }
    Ok(analysis)
}

fn compute(doc: &Document, config: &AnalysisConfig, cancel: &CancelFlag) -> Option<Arc<FileAnalysis>> {
    if cancel.is_cancelled() {
        return None;
    }
    let started = std::time::Instant::now();
    let analysis = match doc.basis() {
        Some(basis) => FileAnalysis::after_edit(&doc.text, &doc.file_name, config, &basis),
        None => FileAnalysis::for_file(&doc.text, &doc.file_name, config),
    };
    let times = analysis.times();
    tracing::debug!(
        "analysed {} bytes (version {}) in {:?}: parse {:?}, compile {:?}, mini-VM {:?}, analyses {:?}",
        doc.text.len(),
        doc.version,
        started.elapsed(),
        times.parse,
        times.compile,
        times.vm,
        times.insights
    );
    Some(Arc::new(analysis))
}

/// What the user sees when analysis crashed: better than silently stale diagnostics.
fn internal_error_diagnostic(why: &str) -> Diagnostic {
    Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::WARNING),
        source: Some("pyxray".into()),
        message: format!("pyxray could not analyse this file (internal error: {why}); please report it"),
        ..Default::default()
    }
}
