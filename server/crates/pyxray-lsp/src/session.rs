//! The state shared by every handler: the client handle, the open documents, the settings and
//! the version detection (with a generation number that changes whenever either does), the
//! negotiated position encoding, the version status last sent per document, and the lifecycle
//! flags.

use crate::detection::Detection;
use crate::documents::DocumentStore;
use crate::handlers::status::VersionStatus;
use crate::scheduler::Scheduler;
use crate::settings::Settings;
use dashmap::DashMap;
use pyxray_insights::PositionEncoding;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use tower_lsp::lsp_types::Url;
use tower_lsp::Client;

pub(crate) struct Session {
    pub client: Client,
    pub documents: DocumentStore,
    pub scheduler: Scheduler,
    pub detection: Arc<Detection>,
    /// The `pyxray/status` last sent for each open document.
    pub statuses: DashMap<Url, VersionStatus>,
    /// Whether the client lets the server register file watchers (`initialized` does).
    pub watch_files: AtomicBool,
    /// Whether the client wants `pyxray/status` notifications (`experimental.pyxrayStatus`).
    pub status_notifications: AtomicBool,
    settings: RwLock<Versioned>,
    encoding: OnceLock<PositionEncoding>,
    shutdown_requested: AtomicBool,
    /// Warnings found while reading `initializationOptions`, shown once the client is ready.
    startup_warnings: Mutex<Vec<String>>,
}

struct Versioned {
    generation: u64,
    settings: Settings,
}

impl Session {
    pub fn new(client: Client) -> Self {
        Session {
            client,
            documents: DocumentStore::default(),
            scheduler: Scheduler::default(),
            detection: Arc::default(),
            statuses: DashMap::new(),
            watch_files: AtomicBool::new(false),
            status_notifications: AtomicBool::new(false),
            settings: RwLock::new(Versioned { generation: 0, settings: Settings::default() }),
            encoding: OnceLock::new(),
            shutdown_requested: AtomicBool::new(false),
            startup_warnings: Mutex::new(Vec::new()),
        }
    }

    /// The negotiated encoding (UTF-16, LSP's default, until `initialize` says otherwise).
    pub fn encoding(&self) -> PositionEncoding {
        self.encoding.get().copied().unwrap_or(PositionEncoding::Utf16)
    }

    pub fn set_encoding(&self, encoding: PositionEncoding) {
        let _ = self.encoding.set(encoding);
    }

    /// The settings in force and their generation (which also changes when detection is redone).
    pub fn settings(&self) -> (u64, Settings) {
        let s = self.settings.read().unwrap_or_else(|p| p.into_inner());
        (s.generation, s.settings.clone())
    }

    pub fn generation(&self) -> u64 {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).generation
    }

    /// Replaces the settings; returns whether anything changed.
    pub fn set_settings(&self, settings: Settings) -> bool {
        let mut s = self.settings.write().unwrap_or_else(|p| p.into_inner());
        if s.settings == settings {
            return false;
        }
        s.generation += 1;
        s.settings = settings;
        self.detection.clear();
        true
    }

    /// Forgets what version detection found, so the next analyses detect again.
    pub fn redetect(&self) {
        let mut s = self.settings.write().unwrap_or_else(|p| p.into_inner());
        self.detection.clear();
        s.generation += 1;
    }

    pub fn request_shutdown(&self) {
        self.shutdown_requested.store(true, Ordering::SeqCst);
    }

    pub fn shutdown_requested(&self) -> bool {
        self.shutdown_requested.load(Ordering::SeqCst)
    }

    pub fn push_startup_warnings(&self, warnings: Vec<String>) {
        self.startup_warnings.lock().unwrap_or_else(|p| p.into_inner()).extend(warnings);
    }

    pub fn take_startup_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.startup_warnings.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
